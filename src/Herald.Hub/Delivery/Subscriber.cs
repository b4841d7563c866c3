using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Herald.Hub.Selectors;

namespace Herald.Hub.Delivery;

/// <summary>
/// One open subscription: its selectors, what its token allows, and a bounded queue of frames.
/// Whoever queues a frame while no write is under way writes it (and anything queued with it,
/// coalesced into one write and one flush) straight into the response: usually the hub's dispatch
/// thread, going through its subscribers one after another. So a delivery costs no task, no thread
/// hop and no wake-up of its own; Kestrel's transport sends the flushed bytes in its own batches.
/// Only a flush that has to wait (a slow reader) continues asynchronously, and frames queued
/// meanwhile wait for it, up to the queue's bound.
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

    public Subscriber(
        string id,
        IReadOnlyList<TopicSelector> selectors,
        IReadOnlyList<string>? authorizedSelectors,
        JsonElement? payload,
        int queueCapacity,
        long deadlineTimestamp,
        long now,
        bool endsWithStream = false)
    {
        EndsWithStream = endsWithStream;
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

    /// <summary>Why the hub closed it, if it did.</summary>
    public SubscriberCloseReason CloseReason => (SubscriberCloseReason)Volatile.Read(ref _closeReason);

    /// <summary>When a write last went out, for heartbeats.</summary>
    public long LastWriteTimestamp => Volatile.Read(ref _lastWriteTimestamp);

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
    /// queue means the subscriber cannot keep up: it is closed, and the frame is not queued.
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

                if (_queue.Count < _capacity)
                {
                    _tail = SseFrame.StartRun(frame.Token, frame.Sequence);
                    _queue.Enqueue(_tail);
                    return true;
                }
            }
            else if (_queue.Count < _capacity)
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
            foreach (SseFrame frame in _batch)
            {
                if (frame.Sequence == 0 || frame.Sequence > ReplayedThrough)
                {
                    frame.WriteTo(_output!);
                    wrote = true;
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
        MarkWritten(_time!.GetTimestamp());
        if (result.IsCompleted || result.IsCanceled)
        {
            StopWriting(SubscriberCloseReason.Ended);
            return false;
        }

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
