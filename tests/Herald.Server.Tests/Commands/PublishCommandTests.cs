using System.Net.Sockets;
using Herald.Hub.Authorization;
using Herald.Server.Commands;
using Herald.Sse;
using Herald.Testing;

namespace Herald.Server.Tests.Commands;

/// <summary>
/// <c>herald publish</c>: as a process against <c>herald serve --key</c> (the developer's loop),
/// and in-process against an embedded hub for stdin, the fields and the refusals.
/// </summary>
public sealed class PublishCommandTests(PublishCommandTests.Serve serve) : IClassFixture<PublishCommandTests.Serve>
{
    private const string Topic = "https://example.com/books/1";

    [Fact]
    public async Task Publish_with_the_serve_key_prints_the_id_and_reaches_a_subscriber()
    {
        await using SseTestClient subscriber = await serve.SubscribeAsync();

        await using HeraldProcess publish = HeraldProcess.Start("publish", "--hub", serve.HubUrl, "--topic", Topic, "--data", "{\"title\":\"Hello\"}", "--key", Serve.Secret);

        Assert.Equal(0, await publish.WaitForExitAsync());
        string id = Assert.Single(publish.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        SseItem received = await subscriber.NextEventAsync();
        Assert.Equal(("{\"title\":\"Hello\"}", id), (received.Data, received.LastEventId));
    }

    [Fact]
    public async Task Publish_with_a_token_from_herald_token_works_too()
    {
        await using SseTestClient subscriber = await serve.SubscribeAsync();
        await using HeraldProcess mint = HeraldProcess.Start("token", "--key", Serve.Secret, "--publish", "*", "--exp", "1m");
        Assert.Equal(0, await mint.WaitForExitAsync());

        await using HeraldProcess publish = HeraldProcess.Start("publish", "--hub", serve.HubUrl, "--topic", Topic, "--data", "minted", "--id", "minted-1", "--token", mint.Output.Trim());

        Assert.Equal(0, await publish.WaitForExitAsync());
        Assert.Equal("minted-1", publish.Output.Trim());
        SseItem received = await subscriber.NextEventAsync();
        Assert.Equal(("minted", "minted-1"), (received.Data, received.LastEventId));
    }

    [Fact]
    public async Task A_wrong_key_exits_1_with_the_hubs_401_message()
    {
        await using HeraldProcess publish = HeraldProcess.Start("publish", "--hub", serve.HubUrl, "--topic", Topic, "--data", "x", "--key", "another-secret-that-is-long-enough-0123456789");

        Assert.Equal(PublishCommand.Refused, await publish.WaitForExitAsync());
        Assert.StartsWith("herald publish: 401 ", publish.Output, StringComparison.Ordinal);
        Assert.Contains("signature", publish.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_unreachable_hub_exits_2()
    {
        await using HeraldProcess publish = HeraldProcess.Start("publish", "--hub", $"http://127.0.0.1:{ClosedPort()}/.well-known/mercure", "--topic", Topic, "--data", "x", "--key", Serve.Secret, "--retries", "0");

        Assert.Equal(PublishCommand.Unreachable, await publish.WaitForExitAsync());
        Assert.StartsWith("herald publish: cannot reach ", publish.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_dash_reads_stdin_without_its_final_line_break_and_every_field_is_sent()
    {
        await using HubHost host = await HubHost.StartAsync();
        await using SseTestClient subscriber = await host.SubscribeAsync(["https://example.com/authors/7"], allowed: ["https://example.com/authors/7"]);
        var arguments = new PublishArguments(
            host.HubUrl, [Topic, "https://example.com/authors/7"], "-", Id: "rev-3", Type: "book", Retry: 4000, IsPrivate: true, Key: TestTokens.PublisherKey);

        (int exit, string output, string error) = await RunAsync(arguments, stdin: "line one\nline two\n");

        Assert.Equal((0, "rev-3\n", ""), (exit, output, error));
        SseItem received = await subscriber.NextEventAsync();
        Assert.Equal(("line one\nline two", "book", "rev-3", 4000L), (received.Data, received.Type, received.LastEventId, received.Retry));
    }

    [Fact]
    public async Task A_topic_outside_the_tokens_rights_exits_1_with_the_hubs_403_message()
    {
        await using HubHost host = await HubHost.StartAsync();
        var arguments = new PublishArguments(host.HubUrl, [Topic], "x", Token: TestTokens.Publisher("https://example.com/other"));

        (int exit, string output, string error) = await RunAsync(arguments);

        Assert.Equal((PublishCommand.Refused, ""), (exit, output));
        Assert.Equal($"herald publish: 403 The token's mercure.publish selectors do not allow the topic \"{Topic}\".\n", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task An_invalid_id_exits_1_before_anything_is_sent()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        await using SseTestClient subscriber = await host.SubscribeAsync([Topic]);

        (int exit, _, string error) = await RunAsync(new PublishArguments(host.HubUrl, [Topic], "x", Id: "#1", Key: TestTokens.PublisherKey));
        string marker = await host.PublishAsync(Topic, "marker");

        Assert.Equal(PublishCommand.Refused, exit);
        Assert.StartsWith("herald publish: The id must not start with '#'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", error, StringComparison.Ordinal);
        Assert.Equal(marker, (await subscriber.NextEventAsync()).LastEventId);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(PublishArguments arguments, string stdin = "")
    {
        using var input = new StringReader(stdin);
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        using CancellationTokenSource bound = Bounded.Wait();
        int exit = await PublishCommand.RunAsync(arguments, input, output, error, bound.Token);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>A port on 127.0.0.1 that nothing listens on: taken from the OS, then let go.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary><c>herald serve --key SECRET</c> on a temporary data directory, shared by the class's tests.</summary>
    public sealed class Serve : IAsyncLifetime, IDisposable
    {
        public const string Secret = "herald-publish-test-secret-0123456789abcdef";

        private readonly TempDirectory _data = new();
        private readonly HttpClient _client = new() { Timeout = Bounded.DefaultWait };
        private HeraldProcess? _process;

        public string HubUrl { get; private set; } = "";

        public async Task InitializeAsync()
        {
            _process = HeraldProcess.Start("serve", "--key", Secret, "--data-dir", _data.Path, "--port", "0");
            HubUrl = await _process.WaitForHubUrlAsync();
        }

        /// <summary>A subscriber to every topic, with a token signed with the same key.</summary>
        public Task<SseTestClient> SubscribeAsync() =>
            SseTestClient.ConnectAsync(_client, HubUrl + "?topic=*", token: HubTokenFactory.Create(new HeraldJwtOptions { Key = Secret }, null, ["*"]));

        /// <summary>Stops the hub (xunit calls this first, then <see cref="Dispose"/>).</summary>
        public async Task DisposeAsync()
        {
            if (_process is not null)
            {
                await _process.DisposeAsync();
            }
        }

        public void Dispose()
        {
            _client.Dispose();
            _data.Dispose();
        }
    }
}
