using Microsoft.Extensions.Time.Testing;

namespace Herald.Client.Tests.EventSource;

/// <summary>When and how the client reconnects: retry, backoff, broken connections, read timeout, Restart.</summary>
public sealed class ReconnectionTests
{
    [Fact]
    public async Task The_servers_retry_field_sets_the_reconnection_delay()
    {
        await using ScriptedServer server = await ScriptedServer.StartSequenceAsync("retry: 25\ndata: a\n\n", "data: b\n\n");
        // Ten minutes unless the server's retry is honoured: the bound would fail the test first.
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url(), ReconnectionTime = TimeSpan.FromMinutes(10) });

        Assert.Equal(["a", "b"], (await reader.NextAsync(2)).Select(e => e.Data));
        Assert.Equal(TimeSpan.FromMilliseconds(25), Assert.Single(reader.Errors).RetryDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(25), reader.Source.ReconnectionTime);
    }

    [Fact]
    public async Task A_broken_connection_is_reported_and_resumed_from_the_last_id()
    {
        await using ScriptedServer server = await ScriptedServer.StartLiveAsync();
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url(), ReconnectionTime = TimeSpan.Zero });

        Task<SseEvent> first = reader.NextAsync();
        ScriptedExchange one = await server.NextExchangeAsync();
        await one.SendAsync("id: 1\ndata: a\n\n");
        Assert.Equal("a", (await first).Data);
        Task<SseEvent> next = reader.NextAsync();
        await one.SendAsync("id: 2\ndata: cut off");
        one.Abort();
        ScriptedExchange two = await server.NextExchangeAsync();
        await two.SendAsync("data: b\n\n");

        Assert.Equal(new SseEvent(SseEventKind.Event, "message", "b", "1"), await next);
        Assert.Equal("1", two.Request.Header("Last-Event-ID"));
        Exception? broken = Assert.Single(reader.Errors).Exception;
        Assert.True(broken is HttpRequestException or IOException, $"expected a network error, got {broken}");
    }

    [Fact]
    public async Task Failures_in_a_row_back_off_exponentially_with_jitter_up_to_the_cap_and_a_healthy_connection_resets_it()
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(async exchange =>
        {
            await exchange.StartEventStreamAsync();
            switch (exchange.Request.Number)
            {
                case 6:
                    await exchange.SendAsync("data: healthy\n\n");
                    break;
                case >= 8:
                    await exchange.SendAsync("data: last\n\n");
                    await exchange.HoldOpenAsync();
                    break;
                default:
                    // An empty stream that ends at once: a failure.
                    break;
            }
        });
        TimeSpan unit = TimeSpan.FromMilliseconds(10);
        await using var reader = new SourceReader(new EventSourceOptions
        {
            Url = server.Url(),
            ReconnectionTime = unit,
            MaxReconnectionDelay = unit * 8,
        });

        Assert.Equal("healthy", (await reader.NextAsync()).Data);
        Assert.Equal("last", (await reader.NextAsync()).Data);

        IReadOnlyList<EventSourceErrorEventArgs> errors = reader.Errors;
        Assert.Equal([1, 2, 3, 4, 5, 1, 2], errors.Select(e => e.FailureCount));
        // The first delay is the reconnection time exactly; each later one is drawn from the upper
        // half of the doubled delay, capped at 8 units.
        Assert.Equal(unit, errors[0].RetryDelay);
        AssertWithin(errors[1].RetryDelay, unit * 1, unit * 2);
        AssertWithin(errors[2].RetryDelay, unit * 2, unit * 4);
        AssertWithin(errors[3].RetryDelay, unit * 4, unit * 8);
        AssertWithin(errors[4].RetryDelay, unit * 4, unit * 8);
        // Connection 6 dispatched an event: healthy, so the count starts over.
        Assert.Equal(unit, errors[5].RetryDelay);
        AssertWithin(errors[6].RetryDelay, unit * 1, unit * 2);
    }

    [Fact]
    public async Task Silence_past_the_read_timeout_drops_the_connection_and_any_byte_resets_the_timer()
    {
        var time = new FakeTimeProvider();
        await using ScriptedServer server = await ScriptedServer.StartLiveAsync();
        await using var reader = new SourceReader(new EventSourceOptions
        {
            Url = server.Url(),
            ReadTimeout = TimeSpan.FromSeconds(5),
            ReconnectionTime = TimeSpan.Zero,
            IncludeComments = true,
            TimeProvider = time,
        });

        Task<SseEvent> first = reader.NextAsync();
        ScriptedExchange one = await server.NextExchangeAsync();
        await one.SendAsync("id: 1\ndata: a\n\n");
        Assert.Equal("a", (await first).Data);

        // 15 s of the fake clock pass, but never 5 s without a byte: the connection stays.
        for (int i = 0; i < 5; i++)
        {
            Task<SseEvent> beat = reader.NextAsync();
            time.Advance(TimeSpan.FromSeconds(3));
            await one.SendAsync(":\n");
            Assert.True((await beat).IsComment);
        }

        Assert.Empty(reader.Errors);
        Task<SseEvent> afterSilence = reader.NextAsync();
        time.Advance(TimeSpan.FromSeconds(5));
        ScriptedExchange two = await server.NextExchangeAsync();
        await two.SendAsync("data: b\n\n");

        SseEvent b = await afterSilence;
        Assert.Equal(new SseEvent(SseEventKind.Event, "message", "b", "1"), b);
        Assert.Equal("1", two.Request.Header("Last-Event-ID"));
        Assert.IsType<TimeoutException>(Assert.Single(reader.Errors).Exception);
    }

    [Fact]
    public async Task Restart_drops_the_connection_and_reconnects_at_once_with_the_last_id_and_no_error()
    {
        await using ScriptedServer server = await ScriptedServer.StartLiveAsync();
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url(), ReconnectionTime = TimeSpan.FromMinutes(10) });

        Task<SseEvent> first = reader.NextAsync();
        ScriptedExchange one = await server.NextExchangeAsync();
        await one.SendAsync("id: 1\ndata: a\n\n");
        Assert.Equal("a", (await first).Data);

        Task<SseEvent> next = reader.NextAsync();
        reader.Source.Restart();
        ScriptedExchange two = await server.NextExchangeAsync();
        await two.SendAsync("data: b\n\n");

        Assert.Equal(new SseEvent(SseEventKind.Event, "message", "b", "1"), await next);
        Assert.Equal("1", two.Request.Header("Last-Event-ID"));
        Assert.Empty(reader.Errors);
        await one.Gone.WaitAsync(Bounded.DefaultWait);
        Assert.Equal(2, reader.Opened.Count);
    }

    [Fact]
    public async Task Restart_cuts_a_reconnection_delay_short()
    {
        await using ScriptedServer server = await ScriptedServer.StartSequenceAsync("id: 1\ndata: a\n\n");
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url(), ReconnectionTime = TimeSpan.FromMinutes(10) });
        reader.Source.Error += (_, _) => waiting.TrySetResult();

        Assert.Equal("a", (await reader.NextAsync()).Data);
        Task<SseEvent> next = reader.NextAsync();
        await waiting.Task.WaitAsync(Bounded.DefaultWait);
        Assert.Equal(TimeSpan.FromMinutes(10), Assert.Single(reader.Errors).RetryDelay);
        reader.Source.Restart();
        ScriptedExchange two = await server.NextExchangeAsync();
        await two.SendAsync("data: b\n\n");

        Assert.Equal("b", (await next).Data);
        Assert.Equal("1", two.Request.Header("Last-Event-ID"));
    }

    [Fact]
    public async Task A_refused_connection_is_retried()
    {
        // A port that was free a moment ago: nothing listens there, so the connect is refused.
        Uri refused;
        await using (ScriptedServer gone = await ScriptedServer.StartLiveAsync())
        {
            refused = gone.Url();
        }

        var failed = new TaskCompletionSource<EventSourceErrorEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var source = new EventSourceClient(new EventSourceOptions { Url = refused, ReconnectionTime = TimeSpan.FromMinutes(10) });
        source.Error += (_, error) => failed.TrySetResult(error);
        using var stop = new CancellationTokenSource();
        Task reading = Task.Run(async () =>
        {
            await foreach (SseEvent _ in source.ReadAllAsync(stop.Token))
            {
            }
        });

        EventSourceErrorEventArgs error = await failed.Task.WaitAsync(Bounded.DefaultWait);
        Assert.IsType<HttpRequestException>(error.Exception);
        Assert.Equal(EventSourceState.Connecting, source.State);
        await stop.CancelAsync();
        await reading.WaitAsync(Bounded.DefaultWait);
        Assert.Equal(EventSourceState.Closed, source.State);
    }

    private static void AssertWithin(TimeSpan actual, TimeSpan low, TimeSpan high) =>
        Assert.True(actual >= low && actual <= high, $"{actual.TotalMilliseconds} ms is not within [{low.TotalMilliseconds}, {high.TotalMilliseconds}] ms");
}
