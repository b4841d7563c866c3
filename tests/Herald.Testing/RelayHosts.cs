namespace Herald.Testing;

/// <summary>
/// The two servers a relay test needs: a hub (anonymous readers allowed, so tests read public
/// streams without tokens) and an <see cref="UpstreamFixtureServer"/> standing in for the LLM API.
/// </summary>
public sealed class RelayHosts : IAsyncDisposable
{
    private RelayHosts(HubHost hub, UpstreamFixtureServer upstream)
    {
        Hub = hub;
        Upstream = upstream;
    }

    public HubHost Hub { get; }

    public UpstreamFixtureServer Upstream { get; }

    public static async Task<RelayHosts> StartAsync() =>
        new(await HubHost.StartAsync(options => options.AllowAnonymous = true), await UpstreamFixtureServer.StartAsync());

    public async ValueTask DisposeAsync()
    {
        await Upstream.DisposeAsync();
        await Hub.DisposeAsync();
    }
}
