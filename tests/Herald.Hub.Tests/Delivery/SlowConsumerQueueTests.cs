using System.IO.Pipelines;
using System.Text.Json;
using Herald.Hub.Delivery;
using Herald.Hub.Streams;
using Herald.Sse;
using Herald.Testing;

namespace Herald.Hub.Tests.Delivery;

/// <summary>The policies on one subscriber's queue, frame by frame: a reader that reads nothing
/// yet keeps the first flush pending, so what follows queues up to the capacity.</summary>
public sealed class SlowConsumerQueueTests
{
    private static readonly string Stream = TokenStreamNames.TopicOf("s");

    private static SseFrame Frame(string topic, string id, long sequence, string? type = null) =>
        SseFrame.Encode(new Update([topic], id, id, type), sequence);

    private static (Subscriber Subscriber, Pipe Pipe, Task Live) Stalled(SlowConsumerPolicy policy, int capacity)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1, useSynchronizationContext: false));
        var subscriber = new Subscriber("s", [], null, null, capacity, long.MaxValue, 0, slowConsumerPolicy: policy);
        return (subscriber, pipe, subscriber.WriteLiveAsync(pipe.Writer, TimeProvider.System, CancellationToken.None));
    }

    private static string Describe(SseItem item)
    {
        if (item.Type != "herald-reset")
        {
            return item.Data;
        }

        using JsonDocument notice = JsonDocument.Parse(item.Data);
        JsonElement root = notice.RootElement;
        return $"reset {root.GetProperty("missed").GetInt64()} {root.GetProperty("firstMissedId").GetString()}..{root.GetProperty("lastMissedId").GetString()}";
    }

    [Fact]
    public async Task DropOldest_drops_the_oldest_queued_and_announces_them_before_the_rest_in_order()
    {
        (Subscriber subscriber, Pipe pipe, Task live) = Stalled(SlowConsumerPolicy.DropOldest, 4);
        for (int n = 1; n <= 10; n++)
        {
            // p1 is being written; p2..p6 are pushed out by p7..p10.
            Assert.True(subscriber.TryEnqueue(Frame("plain", $"p{n}", n)));
        }

        Assert.Equal(5, subscriber.DroppedUpdates);
        Assert.Equal(SubscriberCloseReason.None, subscriber.CloseReason);
        List<SseItem> events = await PipeEvents.ReadAsync(pipe.Reader, 6);
        Assert.Equal(["p1", "reset 5 p2..p6", "p7", "p8", "p9", "p10"], events.Select(Describe));
        // The reset carries no id: the client's last event id stays the last it received.
        Assert.Equal("p1", events[1].LastEventId);

        Assert.True(subscriber.TryEnqueue(Frame("plain", "p11", 11)));
        Assert.Equal(["p11"], (await PipeEvents.ReadAsync(pipe.Reader, 1)).Select(Describe));
        subscriber.Close(SubscriberCloseReason.Ended);
        await live.WaitAsync(Bounded.DefaultWait);
    }

    [Fact]
    public async Task Latest_keeps_the_newest_update_of_each_topic_in_log_order_and_never_a_streams_events()
    {
        (Subscriber subscriber, Pipe pipe, Task live) = Stalled(SlowConsumerPolicy.Latest, 4);
        long sequence = 0;
        Assert.True(subscriber.TryEnqueue(Frame("a", "a1", ++sequence)));
        Assert.True(subscriber.TryEnqueue(Frame("a", "a2", ++sequence)));
        Assert.True(subscriber.TryEnqueue(Frame(Stream, "tool", ++sequence, type: "tool")));
        Assert.True(subscriber.TryEnqueue(Frame("b", "b1", ++sequence)));
        Assert.True(subscriber.TryEnqueue(Frame("a", "a3", ++sequence)));

        // Full: b2 supersedes b1, and a3 supersedes a2. Then the stream's second event fits; a4
        // supersedes a3 and b3 b2, while the stream's two events of one topic both stay.
        Assert.True(subscriber.TryEnqueue(Frame("b", "b2", ++sequence)));
        Assert.True(subscriber.TryEnqueue(Frame(Stream, "tool2", ++sequence, type: "tool")));
        Assert.True(subscriber.TryEnqueue(Frame("a", "a4", ++sequence)));
        Assert.True(subscriber.TryEnqueue(Frame("b", "b3", ++sequence)));

        Assert.Equal(4, subscriber.SupersededUpdates);
        Assert.Equal(0, subscriber.DroppedUpdates);
        List<SseItem> events = await PipeEvents.ReadAsync(pipe.Reader, 5);
        Assert.Equal(["a1", "tool", "tool2", "a4", "b3"], events.Select(Describe));
        subscriber.Close(SubscriberCloseReason.Ended);
        await live.WaitAsync(Bounded.DefaultWait);
    }

    [Fact]
    public async Task Latest_drops_the_oldest_with_a_reset_when_every_queued_update_is_the_newest_of_its_topic()
    {
        (Subscriber subscriber, Pipe pipe, Task live) = Stalled(SlowConsumerPolicy.Latest, 8);
        Assert.True(subscriber.TryEnqueue(Frame("t0", "t0", 1)));
        for (int n = 1; n <= 9; n++)
        {
            Assert.True(subscriber.TryEnqueue(Frame($"t{n}", $"t{n}", n + 1)));
        }

        List<SseItem> events = await PipeEvents.ReadAsync(pipe.Reader, 10);
        Assert.Equal(["t0", "reset 1 t1..t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"], events.Select(Describe));
        subscriber.Close(SubscriberCloseReason.Ended);
        await live.WaitAsync(Bounded.DefaultWait);
    }

    [Fact]
    public async Task A_heartbeat_never_pushes_an_update_out_of_a_full_queue()
    {
        (Subscriber subscriber, Pipe pipe, Task live) = Stalled(SlowConsumerPolicy.DropOldest, 2);
        Assert.True(subscriber.TryEnqueue(Frame("plain", "p1", 1)));
        Assert.True(subscriber.TryEnqueue(Frame("plain", "p2", 2)));
        Assert.True(subscriber.TryEnqueue(Frame("plain", "p3", 3)));
        Assert.True(subscriber.TryEnqueue(SseFrame.Constant(":\n\n"u8.ToArray())));
        Assert.Equal(0, subscriber.DroppedUpdates);
        Assert.Equal(["p1", "p2", "p3"], (await PipeEvents.ReadAsync(pipe.Reader, 3)).Select(Describe));
        subscriber.Close(SubscriberCloseReason.Ended);
        await live.WaitAsync(Bounded.DefaultWait);
    }
}
