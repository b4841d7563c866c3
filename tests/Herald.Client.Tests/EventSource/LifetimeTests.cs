namespace Herald.Client.Tests.EventSource;

/// <summary>How a source ends: cancellation, Close, Dispose and leaving the loop are quiet; it is enumerated once.</summary>
public sealed class LifetimeTests
{
    [Fact]
    public async Task Cancelling_the_token_ends_the_enumeration_quietly_and_drops_the_connection()
    {
        await using ScriptedServer server = await ScriptedServer.StartLiveAsync();
        await using var source = new EventSourceClient(server.Url());
        using var stop = new CancellationTokenSource();
        await using IAsyncEnumerator<SseEvent> events = source.ReadAllAsync(stop.Token).GetAsyncEnumerator();

        Task<bool> move = events.MoveNextAsync().AsTask();
        ScriptedExchange stream = await server.NextExchangeAsync();
        await Bounded.UntilAsync(() => source.State == EventSourceState.Open, "the source is open");
        await stop.CancelAsync();

        Assert.False(await move.WaitAsync(Bounded.DefaultWait));
        Assert.Equal(EventSourceState.Closed, source.State);
        await stream.Gone.WaitAsync(Bounded.DefaultWait);
    }

    [Fact]
    public async Task Cancelling_during_a_reconnection_delay_ends_quietly()
    {
        await using ScriptedServer server = await ScriptedServer.StartSequenceAsync("data: a\n\n");
        await using var source = new EventSourceClient(new EventSourceOptions { Url = server.Url(), ReconnectionTime = TimeSpan.FromMinutes(10) });
        using var stop = new CancellationTokenSource();
        source.Error += (_, _) => stop.Cancel();
        var received = new List<string>();

        await foreach (SseEvent e in source.ReadAllAsync(stop.Token).WithCancellation(CancellationToken.None))
        {
            received.Add(e.Data);
        }

        Assert.Equal(["a"], received);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Close_from_another_thread_ends_the_enumeration_quietly()
    {
        await using ScriptedServer server = await ScriptedServer.StartLiveAsync();
        await using var source = new EventSourceClient(server.Url());
        using CancellationTokenSource bound = Bounded.Wait();
        Task<int> reading = Task.Run(async () =>
        {
            int count = 0;
            await foreach (SseEvent _ in source.ReadAllAsync(bound.Token))
            {
                count++;
            }

            return count;
        });

        ScriptedExchange stream = await server.NextExchangeAsync();
        await stream.SendAsync("data: a\n\n");
        await Bounded.UntilAsync(() => source.State == EventSourceState.Open, "the source is open");
        source.Close();

        int events = await reading.WaitAsync(Bounded.DefaultWait);
        Assert.False(bound.IsCancellationRequested);
        Assert.InRange(events, 0, 1);
        Assert.Equal(EventSourceState.Closed, source.State);
        await stream.Gone.WaitAsync(Bounded.DefaultWait);
    }

    [Fact]
    public async Task Leaving_the_loop_closes_the_source_and_drops_the_connection()
    {
        await using ScriptedServer server = await ScriptedServer.StartLiveAsync();
        await using var source = new EventSourceClient(server.Url());
        using CancellationTokenSource bound = Bounded.Wait();
        Task<string> reading = Task.Run(async () =>
        {
            await foreach (SseEvent e in source.ReadAllAsync(bound.Token))
            {
                return e.Data;
            }

            return "none";
        });

        ScriptedExchange stream = await server.NextExchangeAsync();
        await stream.SendAsync("data: a\n\ndata: b\n\n");

        Assert.Equal("a", await reading.WaitAsync(Bounded.DefaultWait));
        Assert.Equal(EventSourceState.Closed, source.State);
        await stream.Gone.WaitAsync(Bounded.DefaultWait);
    }

    [Fact]
    public async Task Disposing_while_enumerating_ends_quietly_and_later_use_is_refused()
    {
        await using ScriptedServer server = await ScriptedServer.StartLiveAsync();
        var source = new EventSourceClient(server.Url());
        using CancellationTokenSource bound = Bounded.Wait();
        await using IAsyncEnumerator<SseEvent> events = source.ReadAllAsync(bound.Token).GetAsyncEnumerator();

        Task<bool> move = events.MoveNextAsync().AsTask();
        ScriptedExchange stream = await server.NextExchangeAsync();
        await source.DisposeAsync();

        Assert.False(await move.WaitAsync(Bounded.DefaultWait));
        Assert.Equal(EventSourceState.Closed, source.State);
        Assert.Throws<ObjectDisposedException>(() => source.ReadAllAsync());
        await stream.Gone.WaitAsync(Bounded.DefaultWait);
    }

    [Fact]
    public async Task A_source_is_enumerated_once()
    {
        await using ScriptedServer server = await ScriptedServer.StartSequenceAsync();
        await using var source = new EventSourceClient(server.Url());
        using CancellationTokenSource bound = Bounded.Wait();
        await using IAsyncEnumerator<SseEvent> first = source.ReadAllAsync(bound.Token).GetAsyncEnumerator();
        Task<bool> move = first.MoveNextAsync().AsTask();
        await server.NextExchangeAsync();

        await using (IAsyncEnumerator<SseEvent> second = source.ReadAllAsync(bound.Token).GetAsyncEnumerator())
        {
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await second.MoveNextAsync());
        }

        source.Close();
        Assert.False(await move.WaitAsync(Bounded.DefaultWait));
        // Closed for good: a later enumeration yields nothing and connects nowhere.
        await foreach (SseEvent _ in source.ReadAllAsync(bound.Token))
        {
            Assert.Fail("a closed source yielded an event");
        }

        Assert.Equal(1, server.RequestCount);
    }
}
