using System.Globalization;
using System.Text;
using Herald.Client.Streams;

namespace Herald.Client.Tests.Streams;

/// <summary>Producing with <see cref="TokenStreamWriter"/> and reading with <see cref="TokenStreamClient.ReadAsync"/>, against a real hub.</summary>
public sealed class TokenStreamClientTests
{
    private static string Token(int i) => string.Create(CultureInfo.InvariantCulture, $"t{i} ");

    [Fact]
    public async Task Tokens_written_and_completed_are_read_in_order_exactly_once_then_done_with_the_count()
    {
        await using StreamHub hub = await StreamHub.StartAsync();
        string id = StreamHub.NewId("round-trip");
        using CancellationTokenSource bound = Bounded.Wait();

        TokenStreamSummary summary;
        await using (TokenStreamWriter writer = await hub.Producer.OpenAsync(id, cancellationToken: bound.Token))
        {
            Assert.Equal(id, writer.StreamId);
            foreach (string token in new[] { "Hello", ", ", "world", "!\nSecond line" })
            {
                await writer.WriteAsync(token, bound.Token);
            }

            summary = await writer.CompleteAsync(bound.Token);
        }

        Assert.Equal((id, TokenStreamStatus.Done, 4L, $"{id}:5", (string?)null), (summary.StreamId, summary.Status, summary.Tokens, summary.LastEventId, summary.Reason));

        List<TokenStreamItem> items = await StreamHub.ReadToEndAsync(hub.Reader, id);
        Assert.Equal((TokenStreamStatus?)TokenStreamStatus.Active, items[0].Status);
        Assert.Equal($"{id}:0", items[0].EventId);
        Assert.Equal("Hello, world!\nSecond line", StreamHub.Text(items));
        StreamHub.AssertIdsIncrease(id, items);
        TokenStreamItem end = items[^1];
        Assert.True(end.IsTerminal);
        Assert.Equal((TokenStreamStatus?)TokenStreamStatus.Done, end.Status);
        Assert.Equal(4L, end.Tokens);
        Assert.Equal($"{id}:5", end.EventId);
        Assert.Null(end.Reason);
    }

    [Fact]
    public async Task Ten_thousand_tokens_arrive_complete_and_in_order_at_three_concurrent_readers()
    {
        await using StreamHub hub = await StreamHub.StartAsync();
        string id = StreamHub.NewId("ten-k");
        using CancellationTokenSource bound = Bounded.Wait(TimeSpan.FromSeconds(60));
        await using TokenStreamWriter writer = await hub.Producer.OpenAsync(id, cancellationToken: bound.Token);

        // Each reader reports its first item, the active event, so the tokens below go to three
        // live readers rather than to three replays.
        var reading = new List<Task<List<TokenStreamItem>>>();
        var started = new List<TaskCompletionSource>();
        for (int r = 0; r < 3; r++)
        {
            var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            started.Add(first);
            reading.Add(ReadSignallingAsync(hub.Reader, id, first, bound.Token));
        }

        await Task.WhenAll(started.Select(s => s.Task)).WaitAsync(bound.Token);

        var expected = new StringBuilder();
        for (int i = 1; i <= 10_000; i++)
        {
            await writer.WriteAsync(Token(i), bound.Token);
            expected.Append(Token(i));
        }

        TokenStreamSummary summary = await writer.CompleteAsync(bound.Token);
        Assert.Equal((TokenStreamStatus.Done, 10_000L, $"{id}:10001"), (summary.Status, summary.Tokens, summary.LastEventId));

        foreach (List<TokenStreamItem> items in await Task.WhenAll(reading).WaitAsync(bound.Token))
        {
            Assert.False(bound.IsCancellationRequested, "Timed out reading.");
            Assert.Equal(expected.ToString(), StreamHub.Text(items));
            StreamHub.AssertIdsIncrease(id, items);
            Assert.Equal((TokenStreamStatus?)TokenStreamStatus.Done, items[^1].Status);
            Assert.Equal(10_000L, items[^1].Tokens);
            Assert.Equal($"{id}:10001", items[^1].EventId);
        }

        static async Task<List<TokenStreamItem>> ReadSignallingAsync(TokenStreamClient reader, string id, TaskCompletionSource first, CancellationToken cancellationToken)
        {
            var items = new List<TokenStreamItem>();
            await foreach (TokenStreamItem item in reader.ReadAsync(id, cancellationToken: cancellationToken))
            {
                items.Add(item);
                first.TrySetResult();
            }

            return items;
        }
    }

    [Fact]
    public async Task Typed_events_arrive_with_their_type_between_the_tokens_never_merged()
    {
        await using StreamHub hub = await StreamHub.StartAsync();
        string id = StreamHub.NewId("typed");
        using CancellationTokenSource bound = Bounded.Wait();
        await using (TokenStreamWriter writer = await hub.Producer.OpenAsync(id, cancellationToken: bound.Token))
        {
            await writer.WriteAsync("Looking", bound.Token);
            await writer.WriteAsync(" it up", bound.Token);
            await writer.WriteEventAsync("tool-call", """{"name":"search","q":"sse"}""", bound.Token);
            await writer.WriteEventAsync("citation", "line one\nline two", bound.Token);
            await writer.WriteAsync("Found it.", bound.Token);
            Assert.Equal(5L, (await writer.CompleteAsync(bound.Token)).Tokens);
        }

        List<TokenStreamItem> items = await StreamHub.ReadToEndAsync(hub.Reader, id);

        // Read after the end, the two leading tokens may be merged: their text is what counts.
        TokenStreamItem[] typed = [.. items.Where(item => !item.IsToken && !item.IsLifecycle)];
        Assert.Equal(["tool-call", "citation"], typed.Select(item => item.Type));
        Assert.Equal(["""{"name":"search","q":"sse"}""", "line one\nline two"], typed.Select(item => item.Data));
        Assert.Equal([$"{id}:3", $"{id}:4"], typed.Select(item => item.EventId));
        Assert.Equal("Looking it up", StreamHub.Text(items.TakeWhile(item => item.Type != "tool-call")));
        Assert.Equal("Found it.", StreamHub.Text(items.SkipWhile(item => item.Type != "citation")));
        StreamHub.AssertIdsIncrease(id, items);
        Assert.Equal((TokenStreamStatus?)TokenStreamStatus.Done, items[^1].Status);
    }

    [Fact]
    public async Task A_type_the_hub_reserves_or_that_reads_as_a_token_is_refused_before_sending()
    {
        await using StreamHub hub = await StreamHub.StartAsync();
        using CancellationTokenSource bound = Bounded.Wait();
        await using TokenStreamWriter writer = await hub.Producer.OpenAsync(StreamHub.NewId("types"), cancellationToken: bound.Token);

        await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteEventAsync("herald-error", "x").AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteEventAsync("message", "x").AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteEventAsync("a\nb", "x").AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteEventAsync("", "x").AsTask());

        // Nothing reached the hub: the stream is still fine.
        await writer.WriteAsync("ok", bound.Token);
        TokenStreamSummary summary = await writer.CompleteAsync(bound.Token);
        Assert.Equal((TokenStreamStatus.Done, 1L), (summary.Status, summary.Tokens));
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync(bound.Token));
    }

    [Fact]
    public async Task FailAsync_ends_the_stream_as_error_with_the_reason_for_producer_and_readers()
    {
        await using StreamHub hub = await StreamHub.StartAsync();
        string id = StreamHub.NewId("fail");
        using CancellationTokenSource bound = Bounded.Wait();
        await using TokenStreamWriter writer = await hub.Producer.OpenAsync(id, cancellationToken: bound.Token);
        await writer.WriteAsync("partial ", bound.Token);

        TokenStreamSummary summary = await writer.FailAsync("the model crashed", bound.Token);

        Assert.Equal((TokenStreamStatus.Error, 1L, "the model crashed"), (summary.Status, summary.Tokens, summary.Reason));
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync("late").AsTask());
        List<TokenStreamItem> items = await StreamHub.ReadToEndAsync(hub.Reader, id);
        Assert.Equal("partial ", StreamHub.Text(items));
        Assert.Equal((TokenStreamStatus?)TokenStreamStatus.Error, items[^1].Status);
        Assert.Equal("the model crashed", items[^1].Reason);
        Assert.Equal(1L, items[^1].Tokens);
    }

    [Fact]
    public async Task Disposing_a_writer_that_was_not_completed_ends_the_stream_as_error()
    {
        await using StreamHub hub = await StreamHub.StartAsync();
        string id = StreamHub.NewId("abandoned");
        using CancellationTokenSource bound = Bounded.Wait();
        await using (TokenStreamWriter writer = await hub.Producer.OpenAsync(id, cancellationToken: bound.Token))
        {
            await writer.WriteAsync("half an answer", bound.Token);
        }

        List<TokenStreamItem> items = await StreamHub.ReadToEndAsync(hub.Reader, id);
        Assert.Equal("half an answer", StreamHub.Text(items));
        Assert.Equal((TokenStreamStatus?)TokenStreamStatus.Error, items[^1].Status);
        Assert.Equal(TokenStreamWriter.AbandonedReason, items[^1].Reason);
    }

    [Fact]
    public async Task ReadAsync_with_a_last_event_id_resumes_after_it()
    {
        await using StreamHub hub = await StreamHub.StartAsync();
        string id = StreamHub.NewId("resume");
        await hub.ProduceAsync(id, Enumerable.Range(1, 6).Select(Token));

        List<TokenStreamItem> items = await StreamHub.ReadToEndAsync(hub.Reader, id, lastEventId: $"{id}:2");

        Assert.DoesNotContain(items, item => item.Status == TokenStreamStatus.Active);
        Assert.Equal("t3 t4 t5 t6 ", StreamHub.Text(items));
        Assert.All(items, item => Assert.True(StreamHub.Number(item.EventId) > 2, $"{item.EventId} is not after {id}:2."));
        Assert.Equal((TokenStreamStatus?)TokenStreamStatus.Done, items[^1].Status);
        Assert.Equal($"{id}:7", items[^1].EventId);
    }

    [Fact]
    public async Task A_reader_started_after_the_end_replays_everything_then_ends_and_one_resuming_from_the_end_gets_nothing()
    {
        await using StreamHub hub = await StreamHub.StartAsync();
        string id = StreamHub.NewId("late");
        string[] tokens = [.. Enumerable.Range(1, 500).Select(Token)];
        await hub.ProduceAsync(id, tokens);

        List<TokenStreamItem> items = await StreamHub.ReadToEndAsync(hub.Reader, id);

        Assert.Equal((TokenStreamStatus?)TokenStreamStatus.Active, items[0].Status);
        Assert.Equal(string.Concat(tokens), StreamHub.Text(items));
        StreamHub.AssertIdsIncrease(id, items);
        Assert.Equal((TokenStreamStatus.Done, 500L, $"{id}:501"), (items[^1].Status!.Value, items[^1].Tokens!.Value, items[^1].EventId));

        // The hub answers 204 after the final event: the enumeration ends, with nothing in it.
        Assert.Empty(await StreamHub.ReadToEndAsync(hub.Reader, id, lastEventId: $"{id}:501"));
    }

    [Fact]
    public async Task A_private_stream_is_read_with_a_subscriber_token_for_its_topic()
    {
        await using StreamHub hub = await StreamHub.StartAsync();
        string id = StreamHub.NewId("private");
        // The producer's token comes from a provider, asked when the stream opens.
        int asked = 0;
        using TokenStreamClient producer = hub.Client(null, _ =>
        {
            Interlocked.Increment(ref asked);
            return ValueTask.FromResult<string?>(TestTokens.Publisher(StreamHub.StreamTopics));
        });
        await hub.ProduceAsync(id, ["secret"], producer, isPrivate: true);

        Assert.Equal(1, asked);
        using TokenStreamClient allowed = hub.Client(TestTokens.Subscriber([StreamHub.StreamTopics]));
        List<TokenStreamItem> items = await StreamHub.ReadToEndAsync(allowed, id);
        Assert.Equal("secret", StreamHub.Text(items));
        Assert.Equal((TokenStreamStatus?)TokenStreamStatus.Done, items[^1].Status);
    }

    [Fact]
    public async Task Keep_alives_hold_a_silent_producer_open_past_the_idle_timeout_that_ends_one_without_them()
    {
        // Wide margins (a comment every 100 ms against 3 s): a loaded machine stalls for hundreds of milliseconds.
        await using StreamHub hub = await StreamHub.StartAsync(options => options.StreamIdleTimeout = TimeSpan.FromSeconds(3));
        using CancellationTokenSource bound = Bounded.Wait(TimeSpan.FromSeconds(20));
        using TokenStreamClient keptAlive = hub.Client(TestTokens.Publisher(StreamHub.StreamTopics), keepAlive: TimeSpan.FromMilliseconds(100));
        using TokenStreamClient silent = hub.Client(TestTokens.Publisher(StreamHub.StreamTopics), keepAlive: TimeSpan.Zero);
        string keptId = StreamHub.NewId("kept");
        string silentId = StreamHub.NewId("silent");

        await using TokenStreamWriter kept = await keptAlive.OpenAsync(keptId, cancellationToken: bound.Token);
        await using TokenStreamWriter quiet = await silent.OpenAsync(silentId, cancellationToken: bound.Token);

        // The silent stream's end is the clock: by then the kept one, opened first, was quiet longer.
        List<TokenStreamItem> quietItems = await StreamHub.ReadToEndAsync(hub.Reader, silentId, timeout: TimeSpan.FromSeconds(15));
        Assert.Equal((TokenStreamStatus?)TokenStreamStatus.Error, quietItems[^1].Status);
        Assert.Contains("sent nothing", quietItems[^1].Reason, StringComparison.Ordinal);
        // Writes fail once the writer has heard the end; it may hear it a moment after the reader did.
        TokenStreamEndedException ended = await Assert.ThrowsAsync<TokenStreamEndedException>(async () =>
        {
            while (true)
            {
                await quiet.WriteAsync("too late", bound.Token);
                await Task.Yield();
            }
        });
        Assert.Equal(silentId, ended.StreamId);
        TokenStreamSummary quietSummary = await quiet.CompleteAsync(bound.Token);
        Assert.Equal((TokenStreamStatus.Error, 0L), (quietSummary.Status, quietSummary.Tokens));
        Assert.Contains("sent nothing", quietSummary.Reason, StringComparison.Ordinal);

        await kept.WriteAsync("still here", bound.Token);
        TokenStreamSummary summary = await kept.CompleteAsync(bound.Token);
        Assert.Equal((TokenStreamStatus.Done, 1L), (summary.Status, summary.Tokens));
        Assert.Equal("still here", StreamHub.Text(await StreamHub.ReadToEndAsync(hub.Reader, keptId)));
    }
}
