using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Herald.Hub.Diagnostics;
using Herald.Hub.Selectors;

namespace Herald.Hub.Delivery;

/// <summary>
/// One open subscription: its selectors, what its token allows, and a bounded queue of frames.
/// Whoever queues a frame while no write is under way writes it (and anything queued with it,
/// coalesced into one write and one flush) straight into the response: usually the hub's dispatch
/// thread, going through its subscribers one after another. So a delivery costs no task, no thread
/// hop and no wake-up of its own; Kestrel's transport sends the flushed bytes in its own batches.
/// Only a flush that has to wait (a slow reader) continues asynchronously, and frames queued
/// meanwhile wait for it, up to the queue's bound. What gives way when the queue is full is the
/// subscription's <see cref="SlowConsumerPolicy"/>; the queue is full only for a reader that fell
/// behind, so the policies cost nothing on the way of a reader that keeps up.
/// </summary>
internal sealed class Subscriber
{
    /// <summary>The most bytes coalesced into one flush, so one subscriber's backlog is written in
    /// reasonably sized pieces.</summary>
    private const int MaxBytesPerFlush = 64 * 1024;

    private readonly Queue<SseFrame> _queue = new();
    private readonly int _capacity;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<SseFrame> _batch = [];
    private SseFrame? _tail;
    private bool _endAfterFlush;
    private CancellationTokenRegistration _clientGone;
    private PipeWriter? _output;
    private TimeProvider? _time;
    private bool _writing;
    private long _lastWriteTimestamp;
    private int _closeReason;
    private int _stopSignalled;
    private MissedUpdates? _missed;
    private long _droppedUpdates;
    private long _supersededUpdates;
    private HashSet<string>? _newestTopics;
    private List<SseFrame?>? _conflating;
    private readonly HubMetrics? _metrics;

    // What the write under way carries, recorded once its flush completes; only the writer touches them.
    private int _writeEvents;
    private int _writeBytes;
    private long _writeOldestStored;

    public Subscriber(
        string id,
        IReadOnlyList<TopicSelector> selectors,
        IReadOnlyList<string>? authorizedSelectors,
        JsonElement? payload,
        int queueCapacity,
        long deadlineTimestamp,
        long now,
        bool endsWithStream = false,
        SlowConsumerPolicy slowConsumerPolicy = SlowConsumerPolicy.Disconnect,
        HubMetrics? metrics = null)
    {
        _metrics = metrics;
        EndsWithStream = endsWithStream;
        SlowConsumerPolicy = slowConsumerPolicy;
        Id = id;
        Selectors = selectors;
        AuthorizedSelectors = authorizedSelectors;
        Payload = payload;
        DeadlineTimestamp = deadlineTimestamp;
        _lastWriteTimestamp = now;
        _capacity = queueCapacity;
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

    /// <summary>Whether it reads one token stream and ends after that stream's final lifecycle event.</summary>
    public bool EndsWithStream { get; }

    /// <summary>What gives way when its queue is full.</summary>
    public SlowConsumerPolicy SlowConsumerPolicy { get; }

    /// <summary>How many updates its policy dropped to make room (announced by <c>herald-reset</c>).</summary>
    public long DroppedUpdates => Volatile.Read(ref _droppedUpdates);

    /// <summary>How many updates <see cref="SlowConsumerPolicy.Latest"/> skipped because a newer
    /// update of the same topic was queued.</summary>
    public long SupersededUpdates => Volatile.Read(ref _supersededUpdates);

    /// <summary>Why the hub closed it, if it did.</summary>
    public SubscriberCloseReason CloseReason => (SubscriberCloseReason)Volatile.Read(ref _closeReason);

    /// <summary>When a write last went out, for heartbeats.</summary>
    public long LastWriteTimestamp => Volatile.Read(ref _lastWriteTimestamp);

    /// <summary>How many frames wait in the queue now; read without the lock, for a gauge.</summary>
    public int QueueDepth => _queue.Count;

    private bool IsClosed => _closeReason != (int)SubscriberCloseReason.None;

    /// <summary>Completes once the subscription is closed and no write is under way.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>
    /// The drain's goodbye: queues a <c>retry:</c> of <paramref name="reconnectDelay"/> behind
    /// whatever is queued (so updates already dispatched still go out first), and the subscription
    /// ends once it is written. False when it was already closed or its queue is full (which
    /// closes it at once, as any overflow does).
    /// </summary>
    public bool Drain(TimeSpan reconnectDelay) => TryEnqueue(SseFrame.Farewell(reconnectDelay));

    /// <summary>
    /// Queues a frame without waiting, and writes it at once (on the calling thread) when no write
    /// is under way. A token that arrives while a write is under way (the reader is behind) is
    /// merged into a run of that stream's tokens instead of taking a place of its own. A full
    /// queue means the subscriber cannot keep up: its policy makes room (dropping the oldest or
    /// superseded frames) or closes it, and then the frame is not queued.
    /// </summary>
    public bool TryEnqueue(SseFrame frame)
    {
        bool queued = false;
        bool write = false;
        lock (_queue)
        {
            if (IsClosed)
            {
                return false;
            }

            if (frame.Token is not null && _writing && _output is not null)
            {
                // Live and behind: the replay is over, so ReplayedThrough is final.
                if (frame.Sequence <= ReplayedThrough || (_tail is { IsRun: true } run && run.TryAppendToRun(frame.Token, frame.Sequence)))
                {
                    return true;
                }

                if (HasRoom(frame))
                {
                    _tail = SseFrame.StartRun(frame.Token, frame.Sequence, frame.StoredTimestamp);
                    _queue.Enqueue(_tail);
                    return true;
                }
            }
            else if (frame.Count == 0 && _queue.Count >= _capacity && SlowConsumerPolicy != SlowConsumerPolicy.Disconnect)
            {
                // A heartbeat for a reader this far behind says nothing, and must not push out an update.
                return true;
            }
            else if (HasRoom(frame))
            {
                frame.AddReference();
                _queue.Enqueue(frame);
                _tail = frame;
                queued = true;
                write = TryStartWriting();
            }
        }

        if (!queued)
        {
            // Closed outside the lock: closing may cancel the writer's pending flush.
            Close(SubscriberCloseReason.QueueOverflow);
            return false;
        }

        if (write)
        {
            WriteQueued();
        }

        return true;
    }

    /// <summary>
    /// Ends the subscription. Only the first reason is kept. A write under way is cut short (its
    /// pending flush cancelled), so a stalled client cannot hold the subscription open.
    /// </summary>
    public void Close(SubscriberCloseReason reason)
    {
        bool writing;
        lock (_queue)
        {
            if (IsClosed)
            {
                return;
            }

            Volatile.Write(ref _closeReason, (int)reason);
            writing = _writing;
        }

        if (reason == SubscriberCloseReason.QueueOverflow)
        {
            _metrics?.SlowConsumerDisconnected();
        }

        if (writing)
        {
            // The writer sees the close when its flush returns, and reports the stop itself.
            _output?.CancelPendingFlush();
        }
        else
        {
            SignalStopped();
        }
    }

    /// <summary>
    /// The live phase: from now on queued frames are written to <paramref name="output"/> (frames
    /// the replay already sent are skipped), until the subscription closes or
    /// <paramref name="cancellationToken"/> (the client leaving) closes it. Returns once no write
    /// is under way, so the response can end safely.
    /// </summary>
    public Task WriteLiveAsync(PipeWriter output, TimeProvider time, CancellationToken cancellationToken)
    {
        bool write;
        lock (_queue)
        {
            _output = output;
            _time = time;

            // The replay is over, so ReplayedThrough is final: drops it covered were not missed.
            _missed?.ForgetReplayed(ReplayedThrough);
            write = TryStartWriting();
            if (!IsClosed)
            {
                _clientGone = cancellationToken.UnsafeRegister(static state => ((Subscriber)state!).Close(SubscriberCloseReason.Ended), this);
            }
        }

        if (write)
        {
            WriteQueued();
        }

        return _stopped.Task;
    }

    /// <summary>Records a write made outside the live phase (the opening comment, the replay).</summary>
    public void MarkWritten(long timestamp) => Volatile.Write(ref _lastWriteTimestamp, timestamp);

    /// <summary>Whether a frame may be queued: there is room, or the policy made some. Call
    /// holding the queue's lock.</summary>
    private bool HasRoom(SseFrame incoming)
    {
        if (_queue.Count < _capacity)
        {
            return true;
        }

        switch (SlowConsumerPolicy)
        {
            case SlowConsumerPolicy.DropOldest:
                DropOldest(1);
                return true;
            case SlowConsumerPolicy.Latest:
                Conflate(incoming);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Drops the <paramref name="count"/> oldest queued frames, recording what they
    /// carried for the next write's <c>herald-reset</c>. The frames being written are no longer
    /// queued, and what stays queued is newer, so nothing is ever written out of order.</summary>
    private void DropOldest(int count)
    {
        _missed ??= new MissedUpdates();
        for (int i = 0; i < count && _queue.TryDequeue(out SseFrame? frame); i++)
        {
            if (frame.Sequence > ReplayedThrough)
            {
                // Live, frames the replay already sent are skipped anyway; before the live phase
                // ReplayedThrough is 0 and the replay's end sorts them out (ForgetReplayed).
                _missed.Add(frame);
                Volatile.Write(ref _droppedUpdates, _droppedUpdates + frame.Count);
            }

            frame.Release();
        }

        if (_queue.Count == 0)
        {
            _tail = null;
        }
    }

    /// <summary>
    /// Keeps only the newest queued update of each topic (the frame being queued counts as the
    /// newest of its own), in log order; heartbeats behind other frames go too. A token stream's
    /// events are never superseded. When that frees less than an eighth of the queue (nearly every
    /// queued update is the newest of its topic), the oldest are dropped as well, up to an eighth,
    /// with a <c>herald-reset</c>: so a scan of the queue happens at most once per eighth of its
    /// places, never on every update.
    /// </summary>
    private void Conflate(SseFrame incoming)
    {
        HashSet<string> newest = _newestTopics ??= new HashSet<string>(StringComparer.Ordinal);
        List<SseFrame?> frames = _conflating ??= [];
        if (incoming.ConflationTopic is { } incomingTopic)
        {
            newest.Add(incomingTopic);
        }

        while (_queue.TryDequeue(out SseFrame? frame))
        {
            frames.Add(frame);
        }

        for (int i = frames.Count - 1; i >= 0; i--)
        {
            SseFrame frame = frames[i]!;
            bool superseded = frame.ConflationTopic is { } topic ? !newest.Add(topic) : frame.Count == 0;
            if (superseded)
            {
                Volatile.Write(ref _supersededUpdates, _supersededUpdates + frame.Count);
                frame.Release();
                frames[i] = null;
            }
        }

        _tail = null;
        foreach (SseFrame? frame in frames)
        {
            if (frame is not null)
            {
                _queue.Enqueue(frame);
                _tail = frame;
            }
        }

        frames.Clear();
        newest.Clear();
        int freeAtLeast = Math.Max(1, _capacity / 8);
        if (_capacity - _queue.Count < freeAtLeast)
        {
            DropOldest(freeAtLeast - (_capacity - _queue.Count));
        }
    }

    /// <summary>Claims the writer's role if frames wait and nobody writes; call holding the queue's lock.</summary>
    private bool TryStartWriting()
    {
        if (_writing || _output is null || _queue.Count == 0 || IsClosed)
        {
            return false;
        }

        _writing = true;
        return true;
    }

    /// <summary>
    /// Writes and flushes the queue until it is empty. Runs on the thread that claimed the role;
    /// a flush that cannot complete at once carries on in <see cref="ContinueAfterFlushAsync"/>.
    /// </summary>
    private void WriteQueued()
    {
        while (TakeBatch())
        {
            bool wrote = false;
            bool end = false;
            _writeEvents = 0;
            _writeBytes = 0;
            _writeOldestStored = 0;
            foreach (SseFrame frame in _batch)
            {
                if (frame.Sequence == 0 || frame.Sequence > ReplayedThrough)
                {
                    frame.WriteTo(_output!);
                    wrote = true;
                    _writeBytes += frame.Length;
                    if (frame.Sequence != 0)
                    {
                        _writeEvents++;
                        if (_writeOldestStored == 0)
                        {
                            // The queue is in order: the first update written is the oldest.
                            _writeOldestStored = frame.StoredTimestamp;
                        }
                    }

                    end |= frame.EndsSubscription || (frame.EndsStream && EndsWithStream);
                }

                frame.Release();
            }

            _batch.Clear();
            if (!wrote)
            {
                continue;
            }

            ValueTask<FlushResult> flush;
            try
            {
                flush = _output!.FlushAsync();
            }
            catch (Exception exception) when (exception is InvalidOperationException or IOException or ObjectDisposedException)
            {
                StopWriting(SubscriberCloseReason.Ended);
                return;
            }

            if (!flush.IsCompletedSuccessfully)
            {
                _endAfterFlush = end;
                _ = ContinueAfterFlushAsync(flush);
                return;
            }

            if (!Flushed(flush.Result) || (end && EndStream()))
            {
                return;
            }
        }
    }

    /// <summary>Moves up to <see cref="MaxBytesPerFlush"/> of queued frames into the batch; false (and the role given up) when there is nothing left to write or the subscription closed.</summary>
    private bool TakeBatch()
    {
        lock (_queue)
        {
            if (IsClosed || _queue.Count == 0)
            {
                _writing = false;
                if (IsClosed)
                {
                    SignalStopped();
                }

                return false;
            }

            int bytes = 0;
            if (_missed is { IsEmpty: false })
            {
                // Before anything newer than what was dropped, so the client sees the gap in place.
                _batch.Add(_missed.TakeNotice());
            }

            while (bytes < MaxBytesPerFlush && _queue.TryDequeue(out SseFrame? frame))
            {
                _batch.Add(frame);
                bytes += frame.Length;
            }

            if (_queue.Count == 0)
            {
                // The tail is being written: a later token must not be merged into it.
                _tail = null;
            }

            return true;
        }
    }

    private async Task ContinueAfterFlushAsync(ValueTask<FlushResult> flush)
    {
        FlushResult result;
        try
        {
            result = await flush.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is InvalidOperationException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            StopWriting(SubscriberCloseReason.Ended);
            return;
        }

        if (Flushed(result) && !(_endAfterFlush && EndStream()))
        {
            WriteQueued();
        }
    }

    /// <summary>The stream this subscription reads has ended and its final event is out (or the
    /// hub's farewell is): the subscription ends, cleanly (no flush to cancel). Returns true.</summary>
    private bool EndStream()
    {
        lock (_queue)
        {
            if (!IsClosed)
            {
                Volatile.Write(ref _closeReason, (int)SubscriberCloseReason.Ended);
            }

            _writing = false;
        }

        SignalStopped();
        return true;
    }

    /// <summary>After a flush: false (and the writer stopped) when the response is over.</summary>
    private bool Flushed(FlushResult result)
    {
        long now = _time!.GetTimestamp();
        MarkWritten(now);
        if (result.IsCompleted || result.IsCanceled)
        {
            StopWriting(SubscriberCloseReason.Ended);
            return false;
        }

        _metrics?.Written(_writeEvents, _writeBytes, _writeOldestStored == 0 ? null : _time.GetElapsedTime(_writeOldestStored, now).TotalSeconds);

        return true;
    }

    /// <summary>Gives up the writer's role for good: the subscription is closed (with <paramref name="reason"/> unless it already was) and the live phase may end.</summary>
    private void StopWriting(SubscriberCloseReason reason)
    {
        Close(reason);
        lock (_queue)
        {
            _writing = false;
        }

        SignalStopped();
    }

    /// <summary>
    /// Once the subscription is closed and no write is under way: releases what is still queued
    /// (nothing is queued after a close) and lets the live phase end.
    /// </summary>
    private void SignalStopped()
    {
        if (Interlocked.Exchange(ref _stopSignalled, 1) != 0)
        {
            return;
        }

        lock (_queue)
        {
            while (_queue.TryDequeue(out SseFrame? frame))
            {
                frame.Release();
            }
        }

        // Disposing from the registration's own callback (the client left) does not wait for it.
        _clientGone.Dispose();
        _stopped.TrySetResult();
    }
}
