using Herald.Sse;

namespace Herald.Hub.Streams;

/// <summary>
/// The producer's side of one token stream, in the hub's process: write tokens as they are
/// generated, then complete or fail the stream; watch <see cref="Cancelled"/> for a reader's
/// Stop. The HTTP streaming publish is this same object fed from a request body.
/// </summary>
/// <remarks>
/// A write numbers its event and hands it straight to the hub's writer, on the caller's thread:
/// no queue and no task of its own, so a token waits for one group commit like any publish, and
/// concurrent streams share commits without the producer batching anything. Writes do not wait
/// for their commit; they form a <see cref="PublishChain"/>, so a failed commit ends the stream as
/// <see cref="TokenStreamStatus.Error"/> and nothing after it is stored. A producer more than
/// <see cref="MaxInFlight"/> events ahead of the store waits. Write from one producer at a time;
/// <see cref="TokenStreams.Cancel"/> may come from anywhere.
/// </remarks>
public sealed class TokenStreamProducer : IAsyncDisposable
{
    /// <summary>How many events may be on their way to the store before a write waits.</summary>
    private const int MaxInFlight = 4_096;

    private readonly HeraldHub _hub;
    private readonly Action<TokenStreamProducer> _ended;
    private readonly string[] _topics;
    private readonly bool _isPrivate;
    private readonly PublishChain _chain = new();
    private readonly Queue<Task> _inFlight = new();
    private readonly CancellationTokenSource _cancelled = new();
    private readonly TaskCompletionSource<TokenStreamSummary> _summary = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private TokenStreamStatus _status = TokenStreamStatus.Active;
    private bool _ending;
    private string? _reason;
    private long _numbered;
    private long _stored;
    private bool _started;

    internal TokenStreamProducer(HeraldHub hub, string streamId, bool isPrivate, Action<TokenStreamProducer> ended)
    {
        _hub = hub;
        _ended = ended;
        StreamId = streamId;
        Topic = TokenStreamNames.TopicOf(streamId);
        _topics = [Topic];
        _isPrivate = isPrivate;
    }

    /// <summary>The stream's id.</summary>
    public string StreamId { get; }

    /// <summary>The stream's topic, which readers subscribe to.</summary>
    public string Topic { get; }

    /// <summary>Whether only readers authorized for the topic may read it.</summary>
    public bool IsPrivate => _isPrivate;

    /// <summary>Fires when someone cancels the stream: stop generating. What is written afterwards is discarded.</summary>
    public CancellationToken Cancelled => _cancelled.Token;

    /// <summary>The status: <see cref="TokenStreamStatus.Active"/> until the stream was asked to end.</summary>
    public TokenStreamStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>Why the stream failed or was cancelled, if it was.</summary>
    public string? Reason
    {
        get
        {
            lock (_gate)
            {
                return _reason;
            }
        }
    }

    /// <summary>Completes with the summary once the final lifecycle event was stored (or could not be).</summary>
    public Task<TokenStreamSummary> Completion => _summary.Task;

    /// <summary>Whether its <c>active</c> event (number 0) has been stored and delivered.</summary>
    internal bool Started => Volatile.Read(ref _started);

    /// <summary>When it ended, as a <see cref="TimeProvider"/> timestamp; 0 while active.</summary>
    internal long EndedTimestamp { get; private set; }

    /// <summary>Queues a token: text a reader appends to the answer.</summary>
    /// <param name="token">The text.</param>
    /// <param name="cancellationToken">Cancels the wait for room in the queue.</param>
    public ValueTask WriteAsync(string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        return WritePartAsync(new Part(null, token), cancellationToken);
    }

    /// <summary>Queues a typed event (a tool call, a citation): never merged with tokens.</summary>
    /// <param name="type">The event type; not empty, no CR, LF or NUL, and not one of the hub's <c>herald-</c> types.</param>
    /// <param name="data">The data.</param>
    /// <param name="cancellationToken">Cancels the wait for room in the queue.</param>
    /// <exception cref="ArgumentException">The type is empty, reserved or contains CR, LF or NUL.</exception>
    public ValueTask WriteEventAsync(string type, string data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (DescribeInvalidType(type) is { } problem)
        {
            throw new ArgumentException(problem, nameof(type));
        }

        return WritePartAsync(new Part(type, data), cancellationToken);
    }

    /// <summary>Ends the stream as done once what was written is stored.</summary>
    /// <returns>The summary; its status is <see cref="TokenStreamStatus.Cancelled"/> or
    /// <see cref="TokenStreamStatus.Error"/> when the stream had already ended that way.</returns>
    public Task<TokenStreamSummary> CompleteAsync() => End(TokenStreamStatus.Done, null);

    /// <summary>Ends the stream as failed once what was written is stored.</summary>
    /// <param name="reason">Why, for readers: no secrets.</param>
    /// <returns>The summary.</returns>
    public Task<TokenStreamSummary> FailAsync(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return End(TokenStreamStatus.Error, reason);
    }

    /// <summary>Fails the stream if it is still active: a producer that goes away without
    /// completing must not leave it hanging.</summary>
    /// <remarks>The cancellation source is not disposed: the registry keeps the stream for its
    /// TTL and others may still ask for <see cref="Cancelled"/>; it holds no timer.</remarks>
    public async ValueTask DisposeAsync() =>
        await FailAsync("The producer ended without completing the stream.").ConfigureAwait(false);

    /// <summary>Why <paramref name="type"/> cannot be a producer's event type, or <see langword="null"/>.</summary>
    internal static string? DescribeInvalidType(string? type) =>
        string.IsNullOrEmpty(type) ? "A typed event needs a type; write a token for untyped text."
        : type.StartsWith("herald-", StringComparison.Ordinal) ? $"The event type \"{type}\" is reserved: types starting with \"herald-\" are the hub's."
        : SseEncoder.DescribeInvalidField(type, "type");

    /// <summary>Cancels the stream if it is active: the producer's <see cref="Cancelled"/> fires
    /// and the stream ends as cancelled after what was already queued.</summary>
    internal TokenStreamCancelOutcome Cancel(string? reason)
    {
        if (!TryEnd(TokenStreamStatus.Cancelled, reason ?? "Cancelled by a reader."))
        {
            return TokenStreamCancelOutcome.AlreadyEnded;
        }

        _cancelled.Cancel();
        return TokenStreamCancelOutcome.Cancelled;
    }

    /// <summary>Stores the <c>active</c> event (number 0); writes are taken from then on.</summary>
    internal async Task StartAsync()
    {
        try
        {
            bool stored = await _hub.PublishBatchAsync([Lifecycle(0, new TokenStreamNotice(StreamId, TokenStreamNotice.Name(TokenStreamStatus.Active)))]).ConfigureAwait(false);
            if (!stored)
            {
                // Its start was already in the history: another node opened the same id a moment
                // earlier, past the registry's history check. That stream is not this one, so
                // this producer ends here, without a word stored in the other's name.
                throw TokenStreamExistsException.For(StreamId);
            }
        }
        catch (Exception exception)
        {
            ForceError($"The hub could not store the stream: {exception.Message}");
            lock (_gate)
            {
                _ending = true;
            }

            _summary.TrySetResult(Summary());
            throw;
        }

        bool endedWhileStarting;
        lock (_gate)
        {
            Volatile.Write(ref _started, true);
            endedWhileStarting = _ending;
        }

        if (endedWhileStarting)
        {
            // Cancelled while its start was being stored: the end is stored now that the start is.
            _ = FinishAsync();
        }
    }

    private async ValueTask WritePartAsync(Part part, CancellationToken cancellationToken)
    {
        Task? oldest = null;
        bool broken;
        lock (_gate)
        {
            if (_ending)
            {
                // The stream has ended (cancelled, failed, completed): later writes are discarded.
                return;
            }

            var update = new Update(_topics, part.Data, TokenStreamNames.EventId(StreamId, ++_numbered), part.Type, isPrivate: _isPrivate);
            Task stored;
            try
            {
                stored = _hub.PublishBatchAsync([update], _chain);
            }
            catch (ObjectDisposedException exception)
            {
                // The hub is stopping: settled at the end like a failed commit.
                stored = Task.FromException(exception);
            }

            _inFlight.Enqueue(stored);
            while (_inFlight.TryPeek(out Task? head) && head.IsCompletedSuccessfully)
            {
                _inFlight.Dequeue();
                _stored++;
            }

            if (_inFlight.Count > MaxInFlight)
            {
                oldest = _inFlight.Peek();
            }

            broken = _inFlight.TryPeek(out Task? first) && first.IsFaulted;
        }

        if (broken)
        {
            // A commit failed: the chain refuses everything after it, so end the stream now
            // rather than at the producer's end (the settling gives the reason).
            TryEnd(TokenStreamStatus.Error, "The hub could not store the stream.");
            return;
        }

        if (oldest is not null)
        {
            // The store is behind: wait for it (a failure is the stream's end, reported there).
            await ((Task)oldest).ContinueWith(static _ => { }, cancellationToken, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private Task<TokenStreamSummary> End(TokenStreamStatus status, string? reason)
    {
        TryEnd(status, reason);
        return _summary.Task;
    }

    /// <summary>Records the end, once: the first end wins, later ones see its summary. No write
    /// is handed over after it, so the events on their way are all there is to settle before the
    /// final lifecycle event.</summary>
    private bool TryEnd(TokenStreamStatus status, string? reason)
    {
        bool started;
        lock (_gate)
        {
            if (_ending)
            {
                return false;
            }

            _ending = true;
            _status = status;
            _reason = reason;
            started = _started;
        }

        if (started)
        {
            // Otherwise the start, still being stored, finishes the stream once it is.
            _ = FinishAsync();
        }

        return true;
    }

    /// <summary>
    /// Settles the events on their way, in order: each stored one is counted; the first failure
    /// ends the stream as an error, and the chain has refused everything after it. Then stores
    /// the final lifecycle event, numbered after what was stored.
    /// </summary>
    private async Task FinishAsync()
    {
        Task[] pending;
        lock (_gate)
        {
            pending = [.. _inFlight];
            _inFlight.Clear();
        }

        foreach (Task stored in pending)
        {
            try
            {
                await stored.ConfigureAwait(false);
                _stored++;
            }
#pragma warning disable CA1031 // A failure to store ends the stream as an error, whatever it was.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                ForceError($"The hub could not store the stream: {exception.Message}");
                break;
            }
        }

        TokenStreamSummary summary = Summary();
        try
        {
            await _hub.PublishBatchAsync([Lifecycle(_stored + 1, new TokenStreamNotice(StreamId, TokenStreamNotice.Name(summary.Status), summary.Tokens, summary.Reason))]).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The store is failing: the summary still reaches the producer, and readers resume later.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        _ended(this);
        _summary.TrySetResult(summary);
    }

    /// <summary>A failed store ends the stream as an error, overriding the end that was asked
    /// for: the stream did not get all it was given.</summary>
    private void ForceError(string reason)
    {
        lock (_gate)
        {
            _status = TokenStreamStatus.Error;
            _reason = reason;
        }
    }

    internal void MarkEnded(long timestamp) => EndedTimestamp = timestamp;

    private TokenStreamSummary Summary()
    {
        lock (_gate)
        {
            return new TokenStreamSummary(StreamId, _status, _stored, TokenStreamNames.EventId(StreamId, _stored + 1), _reason);
        }
    }

    private Update Lifecycle(long number, TokenStreamNotice notice) =>
        new(_topics, notice.ToJson(), TokenStreamNames.EventId(StreamId, number), TokenStreamNames.LifecycleEventType, isPrivate: _isPrivate);

    /// <summary>One event the producer wrote: a token (no type) or a typed event.</summary>
    private readonly record struct Part(string? Type, string Data);
}
