using System.Globalization;
using System.Text;
using Herald.Hub.Streams;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Hub.Tests.Streams;

/// <summary>The producer's side in the hub's process: numbering, lifecycle, coalescing of a
/// replay, ids being single use, the limit, cancel.</summary>
public sealed class TokenStreamsTests
{
    private static Task<HubHost> StartAsync(Action<HeraldOptions>? configure = null, Action<IServiceCollection>? services = null) => StreamReading.StartHubAsync(configure, services);

    private static string Token(int i) => string.Create(CultureInfo.InvariantCulture, $"t{i} ");

    [Fact]
    public async Task Ten_thousand_tokens_arrive_complete_and_in_order_at_three_readers()
    {
        await using HubHost host = await StartAsync();
        TokenStreams streams = host.Services.GetRequiredService<TokenStreams>();
        var readers = new List<SseTestClient>();
        for (int i = 0; i < 3; i++)
        {
            // The stream does not exist yet: a reader waits for it.
            readers.Add(await SseTestClient.ConnectAsync(host.Client, StreamReading.StreamUrl(host, "ten-k")));
        }

        await using TokenStreamProducer stream = await streams.OpenAsync("ten-k");
        var expected = new StringBuilder();
        for (int i = 1; i <= 10_000; i++)
        {
            await stream.WriteAsync(Token(i));
            expected.Append(Token(i));
        }

        TokenStreamSummary summary = await stream.CompleteAsync();
        Assert.Equal(new TokenStreamSummary("ten-k", TokenStreamStatus.Done, 10_000, "ten-k:10001", null), summary);

        foreach (SseTestClient reader in readers)
        {
            StreamReading reading = await StreamReading.ReadAsync(reader);
            Assert.Equal(expected.ToString(), reading.Text);
            Assert.Equal("done", reading.EndStatus);
            Assert.Equal(10_000, reading.EndTokens);
            Assert.Equal("ten-k:0", reading.Ids[0]);
            Assert.Equal("ten-k:10001", reading.Ids[^1]);
            List<long> numbers = [.. reading.Ids.Select(StreamReading.NumberOf)];
            Assert.Equal(numbers.Order(), numbers);
            Assert.Equal(numbers.Count, numbers.Distinct().Count());

            // After the final event the hub ends the response.
            await reader.Ended.WaitAsync(Bounded.DefaultWait);
            await reader.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_late_reader_gets_the_whole_answer_in_few_events_then_the_end_and_a_reconnect_after_the_end_gets_204()
    {
        await using HubHost host = await StartAsync();
        TokenStreams streams = host.Services.GetRequiredService<TokenStreams>();
        TokenStreamProducer stream = await streams.OpenAsync("late");
        await stream.WriteEventAsync("tool", "{\"name\":\"search\"}");
        for (int i = 1; i <= 1_000; i++)
        {
            await stream.WriteAsync(Token(i));
        }

        await stream.CompleteAsync();

        await using SseTestClient late = await SseTestClient.ConnectAsync(host.Client, StreamReading.StreamUrl(host, "late"));
        Herald.Sse.SseItem active = await late.NextEventAsync();
        Assert.Equal(("herald-stream", "late:0"), (active.Type, active.LastEventId));
        Herald.Sse.SseItem tool = await late.NextEventAsync();
        Assert.Equal(("tool", "{\"name\":\"search\"}", "late:1"), (tool.Type, tool.Data, tool.LastEventId));
        StreamReading reading = await StreamReading.ReadAsync(late);
        Assert.Equal(string.Concat(Enumerable.Range(1, 1_000).Select(Token)), reading.Text);
        Assert.Equal(1_001, reading.EndTokens);
        Assert.Equal("late:1002", reading.Ids[^1]);
        Assert.True(reading.TokenEvents <= 10, $"the replay sent {reading.TokenEvents} token events for 1,000 tokens; it should merge them");
        await late.Ended.WaitAsync(Bounded.DefaultWait);

        using var request = new HttpRequestMessage(HttpMethod.Get, StreamReading.StreamUrl(host, "late"));
        request.Headers.Add("Last-Event-ID", "late:1002");
        using HttpResponseMessage again = await host.Client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, again.StatusCode);
    }

    [Fact]
    public async Task A_stream_whose_start_left_the_history_is_replayed_from_what_is_retained_after_a_reset()
    {
        await using HubHost host = await StartAsync(o => o.HistorySize = 50);
        TokenStreams streams = host.Services.GetRequiredService<TokenStreams>();
        TokenStreamProducer stream = await streams.OpenAsync("evicted");
        for (int i = 1; i <= 100; i++)
        {
            await stream.WriteAsync(Token(i));
        }

        await stream.CompleteAsync();

        await using SseTestClient reader = await SseTestClient.ConnectAsync(host.Client, StreamReading.StreamUrl(host, "evicted"));
        Herald.Sse.SseItem reset = await reader.NextEventAsync();
        Assert.Equal("herald-reset", reset.Type);
        StreamReading reading = await StreamReading.ReadAsync(reader);
        Assert.Equal(string.Concat(Enumerable.Range(52, 49).Select(Token)), reading.Text);
        Assert.Equal("done", reading.EndStatus);
        await reader.Ended.WaitAsync(Bounded.DefaultWait);
    }

    [Fact]
    public async Task A_failed_batch_ends_the_stream_as_an_error_and_nothing_after_it_is_stored()
    {
        // The append holding token 50 waits until 200 tokens were written, so later batches are
        // on their way behind it, then fails.
        var log = new FailingAtLog("fail:50");
        await using HubHost host = await StartAsync(services: s => s.AddSingleton<Herald.Hub.History.IEventLog>(log));
        TokenStreamProducer stream = await host.Services.GetRequiredService<TokenStreams>().OpenAsync("fail");
        for (int i = 1; i <= 200; i++)
        {
            await stream.WriteAsync(Token(i));
            if (i == 50)
            {
                await log.Reached.Task.WaitAsync(Bounded.DefaultWait);
            }
        }

        log.Release.SetResult();
        TokenStreamSummary summary = await stream.CompleteAsync().WaitAsync(Bounded.DefaultWait);
        Assert.Equal(TokenStreamStatus.Error, summary.Status);
        Assert.Contains("disk full", summary.Reason, StringComparison.Ordinal);
        Assert.InRange(summary.Tokens, 0, 49);

        await using SseTestClient reader = await SseTestClient.ConnectAsync(host.Client, StreamReading.StreamUrl(host, "fail"));
        StreamReading reading = await StreamReading.ReadAsync(reader);
        Assert.Equal(string.Concat(Enumerable.Range(1, (int)summary.Tokens).Select(Token)), reading.Text);
        Assert.Equal(("error", $"fail:{summary.Tokens + 1}"), (reading.EndStatus, reading.Ids[^1]));
    }

    /// <summary>A memory log whose append of the batch holding one id waits for a signal, then fails.</summary>
    private sealed class FailingAtLog(string failingId) : Herald.Hub.History.IEventLog
    {
        private readonly Herald.Hub.History.MemoryEventLog _inner = new(capacity: 10_000);

        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string? LastEventId => _inner.LastEventId;

        public async ValueTask<Herald.Hub.History.AppendOutcome[]> AppendAsync(IReadOnlyList<Update> updates, CancellationToken cancellationToken)
        {
            if (updates.Any(u => u.Id == failingId))
            {
                Reached.TrySetResult();
                await Release.Task;
                throw new IOException("disk full");
            }

            return await _inner.AppendAsync(updates, cancellationToken);
        }

        public ValueTask<Herald.Hub.History.HistoryCursor> FindAsync(string lastEventId, CancellationToken cancellationToken) =>
            _inner.FindAsync(lastEventId, cancellationToken);

        public ValueTask<IReadOnlyList<Herald.Hub.History.LoggedUpdate>> ReadAsync(long afterSequence, int limit, CancellationToken cancellationToken) =>
            _inner.ReadAsync(afterSequence, limit, cancellationToken);
    }

    [Fact]
    public async Task Stream_ids_are_single_use_and_must_be_url_safe()
    {
        await using HubHost host = await StartAsync();
        TokenStreams streams = host.Services.GetRequiredService<TokenStreams>();
        TokenStreamProducer first = await streams.OpenAsync("once");
        await Assert.ThrowsAsync<TokenStreamExistsException>(() => streams.OpenAsync("once"));
        await first.CompleteAsync();
        await Assert.ThrowsAsync<TokenStreamExistsException>(() => streams.OpenAsync("once"));
        await Assert.ThrowsAsync<ArgumentException>(() => streams.OpenAsync("has space"));
        await Assert.ThrowsAsync<ArgumentException>(() => streams.OpenAsync(new string('a', 129)));
        Assert.Equal(0, streams.ActiveCount);
    }

    [Fact]
    public async Task Past_the_active_limit_opening_fails_until_one_ends()
    {
        await using HubHost host = await StartAsync(o => o.MaxActiveStreams = 2);
        TokenStreams streams = host.Services.GetRequiredService<TokenStreams>();
        TokenStreamProducer a = await streams.OpenAsync("a");
        await streams.OpenAsync("b");
        await Assert.ThrowsAsync<TokenStreamLimitException>(() => streams.OpenAsync("c"));
        await a.CompleteAsync();
        await streams.OpenAsync("c");
    }

    [Fact]
    public async Task Cancel_fires_the_producers_token_discards_later_writes_and_ends_the_stream_as_cancelled()
    {
        await using HubHost host = await StartAsync();
        TokenStreams streams = host.Services.GetRequiredService<TokenStreams>();
        await using SseTestClient reader = await SseTestClient.ConnectAsync(host.Client, StreamReading.StreamUrl(host, "stop-me"));
        TokenStreamProducer stream = await streams.OpenAsync("stop-me");
        await stream.WriteAsync("before ");
        Assert.Equal("before ", (await StreamReading.ReadAsync(reader, stopAfterEvents: 2)).Text);

        Assert.Equal(TokenStreamCancelOutcome.Cancelled, streams.Cancel("stop-me", "the user pressed Stop"));
        Assert.True(stream.Cancelled.IsCancellationRequested);
        await stream.WriteAsync("after ");
        TokenStreamSummary summary = await stream.CompleteAsync();
        Assert.Equal((TokenStreamStatus.Cancelled, 1L, "the user pressed Stop"), (summary.Status, summary.Tokens, summary.Reason));

        StreamReading rest = await StreamReading.ReadAsync(reader);
        Assert.Equal(string.Empty, rest.Text);
        Assert.Equal("cancelled", rest.EndStatus);
        Assert.Equal("the user pressed Stop", rest.End!.Value.GetProperty("reason").GetString());
        Assert.Equal(TokenStreamCancelOutcome.AlreadyEnded, streams.Cancel("stop-me"));
        Assert.Equal(TokenStreamCancelOutcome.NotFound, streams.Cancel("never-was"));
    }

    [Fact]
    public async Task A_producer_disposed_without_completing_fails_its_stream()
    {
        await using HubHost host = await StartAsync();
        TokenStreams streams = host.Services.GetRequiredService<TokenStreams>();
        await using (TokenStreamProducer stream = await streams.OpenAsync("abandoned"))
        {
            await stream.WriteAsync("half an ans");
        }

        await using SseTestClient reader = await SseTestClient.ConnectAsync(host.Client, StreamReading.StreamUrl(host, "abandoned"));
        StreamReading reading = await StreamReading.ReadAsync(reader);
        Assert.Equal(("half an ans", "error"), (reading.Text, reading.EndStatus));
    }

    [Fact]
    public async Task A_reserved_or_empty_event_type_is_refused()
    {
        await using HubHost host = await StartAsync();
        await using TokenStreamProducer stream = await host.Services.GetRequiredService<TokenStreams>().OpenAsync("types");
        await Assert.ThrowsAsync<ArgumentException>(async () => await stream.WriteEventAsync("herald-stream", "{}"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await stream.WriteEventAsync(string.Empty, "x"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await stream.WriteEventAsync("a\nb", "x"));
    }
}
