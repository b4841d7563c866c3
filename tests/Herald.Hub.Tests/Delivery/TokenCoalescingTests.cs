using System.IO.Pipelines;
using Herald.Hub.Delivery;
using Herald.Hub.Streams;
using Herald.Sse;
using Herald.Testing;

namespace Herald.Hub.Tests.Delivery;

/// <summary>A reader that falls behind gets a stream's tokens merged into runs, never dropped,
/// and never merged across a typed event or another stream's tokens.</summary>
public sealed class TokenCoalescingTests
{
    private static readonly string TopicA = TokenStreamNames.TopicOf("a");
    private static readonly string TopicB = TokenStreamNames.TopicOf("b");

    private static SseFrame Frame(string topic, long number, long sequence, string? type = null) =>
        SseFrame.Encode(new Update([topic], type is null ? $"{number}," : "{}", $"{topic[^1]}:{number}", type), sequence);

    [Fact]
    public async Task Tokens_queued_behind_a_pending_flush_go_out_as_runs_with_the_last_id()
    {
        // A reader that reads nothing yet: the first flush stays pending, so what follows queues.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1, useSynchronizationContext: false));
        var subscriber = new Subscriber("s", [], null, null, queueCapacity: 4, long.MaxValue, 0);
        Task live = subscriber.WriteLiveAsync(pipe.Writer, TimeProvider.System, CancellationToken.None);

        // The first is being written; the four places then hold: a run, the typed event, a run of
        // a, a run of b. One more token of a cannot join b's run and overflows.
        long sequence = 0;
        Assert.True(subscriber.TryEnqueue(Frame(TopicA, 1, ++sequence)));
        for (int n = 2; n <= 1_000; n++)
        {
            // Far more tokens than the queue's four places: they take one.
            Assert.True(subscriber.TryEnqueue(Frame(TopicA, n, ++sequence)));
        }

        Assert.True(subscriber.TryEnqueue(Frame(TopicA, 1_001, ++sequence, type: "tool")));
        Assert.True(subscriber.TryEnqueue(Frame(TopicA, 1_002, ++sequence)));
        Assert.True(subscriber.TryEnqueue(Frame(TopicB, 1, ++sequence)));
        Assert.Equal(SubscriberCloseReason.None, subscriber.CloseReason);

        List<SseItem> events = await PipeEvents.ReadAsync(pipe.Reader, 5);
        Assert.Equal(
            [
                ("message", "1,", "a:1"),
                ("message", string.Concat(Enumerable.Range(2, 999).Select(n => $"{n},")), "a:1000"),
                ("tool", "{}", "a:1001"),
                ("message", "1002,", "a:1002"),
                ("message", "1,", "b:1"),
            ],
            events.Select(e => (e.Type, e.Data, e.LastEventId)));

        Assert.True(subscriber.TryEnqueue(Frame(TopicB, 2, ++sequence)));
        Assert.Equal("2,", (await PipeEvents.ReadAsync(pipe.Reader, 1))[0].Data);
        subscriber.Close(SubscriberCloseReason.Ended);
        await live.WaitAsync(Bounded.DefaultWait);
    }

    [Fact]
    public async Task A_token_that_finds_the_queue_full_of_other_runs_overflows_it()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1, useSynchronizationContext: false));
        var subscriber = new Subscriber("s", [], null, null, queueCapacity: 2, long.MaxValue, 0);
        Task live = subscriber.WriteLiveAsync(pipe.Writer, TimeProvider.System, CancellationToken.None);
        Assert.True(subscriber.TryEnqueue(Frame(TopicA, 1, 1)));
        Assert.True(subscriber.TryEnqueue(Frame(TopicA, 2, 2)));
        Assert.True(subscriber.TryEnqueue(Frame(TopicB, 1, 3)));
        Assert.False(subscriber.TryEnqueue(Frame(TopicA, 3, 4)));
        Assert.Equal(SubscriberCloseReason.QueueOverflow, subscriber.CloseReason);
        await live.WaitAsync(Bounded.DefaultWait);
    }

    [Fact]
    public async Task Updates_that_are_not_tokens_still_overflow_a_stalled_queue()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1, useSynchronizationContext: false));
        var subscriber = new Subscriber("s", [], null, null, queueCapacity: 4, long.MaxValue, 0);
        Task live = subscriber.WriteLiveAsync(pipe.Writer, TimeProvider.System, CancellationToken.None);
        for (int n = 1; n <= 5; n++)
        {
            Assert.True(subscriber.TryEnqueue(SseFrame.Encode(new Update(["plain"], "x", $"p{n}"), n)));
        }

        Assert.False(subscriber.TryEnqueue(SseFrame.Encode(new Update(["plain"], "x", "p6"), 6)));
        Assert.Equal(SubscriberCloseReason.QueueOverflow, subscriber.CloseReason);
        await live.WaitAsync(Bounded.DefaultWait);
    }
}
