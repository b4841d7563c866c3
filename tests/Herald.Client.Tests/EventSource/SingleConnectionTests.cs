using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Client.Tests.EventSource;

/// <summary>
/// <see cref="EventSourceOptions.Reconnect"/> off: the request is sent once, whatever happens to
/// it, and what would have been retried is thrown. Each test would see a second request, or an
/// enumeration that goes on, if the client reconnected.
/// </summary>
public sealed class SingleConnectionTests
{
    [Fact]
    public async Task A_clean_end_of_the_one_connection_ends_the_enumeration()
    {
        await using ScriptedServer server = await ScriptedServer.StartSequenceAsync("data: a\n\n", "data: again\n\n");
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url(), Reconnect = false, ReconnectionTime = TimeSpan.Zero });

        Assert.Equal("a", (await reader.NextAsync()).Data);
        await reader.EndAsync();

        Assert.Equal(1, server.RequestCount);
        Assert.Empty(reader.Errors);
        Assert.Equal(EventSourceState.Closed, reader.Source.State);
    }

    [Fact]
    public async Task A_broken_connection_is_thrown_and_the_post_is_not_sent_again()
    {
        await using ScriptedServer server = await ScriptedServer.StartLiveAsync();
        await using var reader = new SourceReader(new EventSourceOptions
        {
            Url = server.Url(),
            Method = HttpMethod.Post,
            Body = "{\"stream\":true}"u8.ToArray(),
            Reconnect = false,
            ReconnectionTime = TimeSpan.Zero,
        });

        Task<SseEvent> first = reader.NextAsync();
        ScriptedExchange exchange = await server.NextExchangeAsync();
        await exchange.SendAsync("data: a\n\n");
        Assert.Equal("a", (await first).Data);
        await exchange.SendAsync("data: cut off");
        exchange.Abort();

        Exception broken = await FailsAsync(reader);
        Assert.True(broken is HttpRequestException or IOException, $"expected a network error, got {broken}");
        Assert.Equal(1, server.RequestCount);
        Assert.Empty(reader.Errors);
    }

    [Fact]
    public async Task A_refused_connection_is_thrown()
    {
        Uri refused;
        await using (ScriptedServer gone = await ScriptedServer.StartLiveAsync())
        {
            refused = gone.Url();
        }

        await using var reader = new SourceReader(new EventSourceOptions { Url = refused, Reconnect = false, ReconnectionTime = TimeSpan.Zero });

        Assert.IsType<HttpRequestException>(await FailsAsync(reader));
        Assert.Empty(reader.Errors);
    }

    [Fact]
    public async Task A_transient_status_is_thrown_even_when_such_statuses_are_retried()
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(exchange =>
        {
            exchange.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        });
        await using var reader = new SourceReader(new EventSourceOptions
        {
            Url = server.Url(),
            Reconnect = false,
            ReconnectOnTransientStatus = true,
            ReconnectionTime = TimeSpan.Zero,
        });

        var refused = Assert.IsType<EventSourceResponseException>(await FailsAsync(reader));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Silence_past_the_read_timeout_is_thrown_as_a_timeout()
    {
        var time = new FakeTimeProvider();
        await using ScriptedServer server = await ScriptedServer.StartLiveAsync();
        await using var reader = new SourceReader(new EventSourceOptions
        {
            Url = server.Url(),
            Reconnect = false,
            ReadTimeout = TimeSpan.FromSeconds(5),
            ReconnectionTime = TimeSpan.Zero,
            TimeProvider = time,
        });

        Task<SseEvent> first = reader.NextAsync();
        ScriptedExchange exchange = await server.NextExchangeAsync();
        await exchange.SendAsync("data: a\n\n");
        Assert.Equal("a", (await first).Data);
        Task<Exception> failed = FailsAsync(reader);
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.IsType<TimeoutException>(await failed);
        Assert.Equal(1, server.RequestCount);
    }

    /// <summary>The enumeration's exception, of whatever type: a broken connection is an <see cref="IOException"/> or an <see cref="HttpRequestException"/>.</summary>
    private static async Task<Exception> FailsAsync(SourceReader reader) => await reader.FailsAsync<Exception>(exact: false);
}
