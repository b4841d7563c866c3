using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Threading.Channels;
using Herald.Hub.Selectors;

namespace Herald.Hub.Delivery;

/// <summary>
/// One open subscription: its selectors, what its token allows, and a bounded queue of frames
/// drained by a single writer loop that coalesces whatever is queued into one write and one flush.
/// </summary>
internal sealed class Subscriber : IDisposable
{
    /// <summary>The most bytes coalesced into one flush, so one subscriber's backlog is written in
    /// reasonably sized pieces.</summary>
    private const int MaxBytesPerFlush = 64 * 1024;

    private readonly Channel<SseFrame> _queue;
    private readonly CancellationTokenSource _closed = new();
    private long _lastWriteTimestamp;
    private int _closeReason;

    public Subscriber(
        string id,
        IReadOnlyList<TopicSelector> selectors,
        IReadOnlyList<string>? authorizedSelectors,
        JsonElement? payload,
        int queueCapacity,
        long deadlineTimestamp,
        long now)
    {
        Id = id;
        Selectors = selectors;
        AuthorizedSelectors = authorizedSelectors;
        Payload = payload;
        DeadlineTimestamp = deadlineTimestamp;
        _lastWriteTimestamp = now;
        _queue = Channel.CreateBounded<SseFrame>(new BoundedChannelOptions(queueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>The subscriber's IRI (<c>urn:uuid:...</c>), as active subscriptions report it.</summary>
    public string Id { get; }

    /// <summary>The topic selectors it subscribed with.</summary>
    public IReadOnlyList<TopicSelector> Selectors { get; }

    /// <summary>The token's <c>mercure.subscribe</c> selectors: which private updates it may
    /// receive. <see langword="null"/> for none.</summary>
    public IReadOnlyList<string>? AuthorizedSelectors { get; }

    /// <summary>The token's <c>mercure.payload</c>, shown in subscription events.</summary>
    public JsonElement? Payload { get; }

    /// <summary>When the subscription ends: its drawn lifetime or its token's expiry, whichever is
    /// first (a <see cref="TimeProvider"/> timestamp; <see cref="long.MaxValue"/> for never).</summary>
    public long DeadlineTimestamp { get; }

    /// <summary>The sequence of the update being dispatched when it was last matched; the hub's
    /// dispatch uses it so a subscriber matched by several selectors gets an update once.</summary>
    public long DispatchStamp { get; set; }

    /// <summary>Live frames at or below this sequence were already sent by the replay.</summary>
    public long ReplayedThrough { get; set; }

    /// <summary>Cancelled when the hub closes the subscription.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Why the hub closed it, if it did.</summary>
    public SubscriberCloseReason CloseReason => (SubscriberCloseReason)Volatile.Read(ref _closeReason);

    /// <summary>When the writer loop last wrote, for heartbeats.</summary>
    public long LastWriteTimestamp => Volatile.Read(ref _lastWriteTimestamp);

    /// <summary>Queues a frame without waiting. A full queue means the subscriber cannot keep up:
    /// it is closed, and the frame is not queued.</summary>
    public bool TryEnqueue(SseFrame frame)
    {
        frame.AddReference();
        if (_queue.Writer.TryWrite(frame))
        {
            return true;
        }

        frame.Release();
        Close(SubscriberCloseReason.QueueOverflow);
        return false;
    }

    /// <summary>Ends the subscription: the writer loop stops after what it is writing. Only the
    /// first reason is kept.</summary>
    public void Close(SubscriberCloseReason reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, (int)reason, (int)SubscriberCloseReason.None) == (int)SubscriberCloseReason.None)
        {
            _queue.Writer.TryComplete();
            try
            {
                _closed.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The request finished and disposed it while this close was on its way: nothing is
                // left to stop.
            }
        }
    }

    /// <summary>Releases the close signal; call after the subscription has ended.</summary>
    public void Dispose() => _closed.Dispose();

    /// <summary>
    /// Writes queued frames until the subscription closes or the client goes away. Frames the
    /// replay already sent are skipped.
    /// </summary>
    public async Task WriteLiveAsync(PipeWriter output, TimeProvider time, CancellationToken cancellationToken)
    {
        ChannelReader<SseFrame> reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                int written = 0;
                while (written < MaxBytesPerFlush && reader.TryRead(out SseFrame? frame))
                {
                    if (frame.Sequence == 0 || frame.Sequence > ReplayedThrough)
                    {
                        ReadOnlySpan<byte> bytes = frame.Span;
                        output.Write(bytes);
                        written += bytes.Length;
                    }

                    frame.Release();
                }

                if (written > 0)
                {
                    FlushResult result = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    MarkWritten(time.GetTimestamp());
                    if (result.IsCompleted || result.IsCanceled)
                    {
                        return;
                    }
                }
            }
        }
        finally
        {
            Close(SubscriberCloseReason.Ended);
            while (reader.TryRead(out SseFrame? frame))
            {
                frame.Release();
            }
        }
    }

    /// <summary>Records a write made outside the loop (the opening comment, the replay).</summary>
    public void MarkWritten(long timestamp) => Volatile.Write(ref _lastWriteTimestamp, timestamp);
}
