using System.Threading.Channels;
using Herald.Sse;

namespace Herald.Hub.Streams;

/// <summary>
/// The producer's side of one token stream, in the hub's process: write tokens as they are
/// generated, then complete or fail the stream; watch <see cref="Cancelled"/> for a reader's
/// Stop. The HTTP streaming publish is this same object fed from a request body.
/// </summary>
/// <remarks>
/// Writes are queued, not awaited one by one: a single publishing loop takes whatever has queued
/// while its previous batch was being stored and stores it as the next batch, all or nothing.
/// So a fast producer's tokens share commits without the producer batching anything, and a failed
/// batch ends the stream as <see cref="TokenStreamStatus.Error"/> without any later token being
/// stored after the gap. The queue is bounded: a producer faster than the store waits.
/// Write from one producer at a time; <see cref="TokenStreams.Cancel"/> may come from anywhere.
/// </remarks>
public sealed class TokenStreamProducer : IAsyncDisposable
{
    /// <summary>How many events may wait to be stored before <see cref="WriteAsync"/> waits.</summary>
    private const int QueueCapacity = 4_096;

    /// <summary>The most events stored in one batch.</summary>
    private const int MaxBatch = 1_024;

    /// <summary>How many batches may be on their way to the store at once.</summary>
    private const int MaxInFlight = 8;



    private readonly HeraldHub _hub;
    private readonly Action<TokenStreamProducer> _ended;
    private readonly string[] _topics;
    private readonly bool _isPrivate;
    private readonly Channel<Part> _parts = Channel.CreateBounded<Part>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true });
    private readonly CancellationTokenSource _cancelled = new();
    private readonly TaskCompletionSource<TokenStreamSummary> _summary = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private TokenStreamStatus _status = TokenStreamStatus.Active;
    private bool _ending;
    private string? _reason;
    private long _stored;
    private Task? _publishing;
    private bool _started;
    private bool _storeFailed;

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

    /// <summary>Stores the <c>active</c> event (number 0), then starts the publishing loop.</summary>
    internal async Task StartAsync()
    {
        await _hub.PublishBatchAsync([Lifecycle(0, new TokenStreamNotice(StreamId, TokenStreamNotice.Name(TokenStreamStatus.Active)))]).ConfigureAwait(false);
        Volatile.Write(ref _started, true);
        _publishing = Task.Run(PublishAsync);
    }

    private async ValueTask WritePartAsync(Part part, CancellationToken cancellationToken)
    {
        try
        {
            await _parts.Writer.WriteAsync(part, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // The stream has ended (cancelled, failed, completed): later writes are discarded.
        }
    }

    private Task<TokenStreamSummary> End(TokenStreamStatus status, string? reason)
    {
        TryEnd(status, reason);
        return _summary.Task;
    }

    /// <summary>Records the end, once: the first end wins, later ones see its summary.</summary>
    private bool TryEnd(TokenStreamStatus status, string? reason)
    {
        lock (_gate)
        {
            if (_ending)
            {
                return false;
            }

            _ending = true;
            _status = status;
            _reason = reason;
        }

        _parts.Writer.TryComplete();
        if (_publishing is null)
        {
            // Ended before it started (the start failed): nothing to store.
            _summary.TrySetResult(Summary());
        }

        return true;
    }

    /// <summary>
    /// The one publishing loop: hands what queued to the hub as the next batch without waiting
    /// for the previous one to be stored (a token waits for one commit, not two), numbering the
    /// events as it goes; the batches form a <see cref="PublishChain"/>, so once one fails none
    /// after it is stored. Once the queue is closed and every batch settled, the final lifecycle
    /// event, numbered after what was stored.
    /// </summary>
    private async Task PublishAsync()
    {
        ChannelReader<Part> reader = _parts.Reader;
        var chain = new PublishChain();
        var inFlight = new Queue<(Task Stored, int Count)>();
        long numbered = 0;
        bool failed = false;
        while (!failed && await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var batch = new List<Update>();
            while (batch.Count < MaxBatch && reader.TryRead(out Part part))
            {
                batch.Add(new Update(_topics, part.Data, TokenStreamNames.EventId(StreamId, ++numbered), part.Type, isPrivate: _isPrivate));
            }

            try
            {
                inFlight.Enqueue((_hub.PublishBatchAsync(batch, chain), batch.Count));
            }
            catch (ObjectDisposedException exception)
            {
                failed = Failed(exception);
                break;
            }

            // Settle what is done, and wait when too much is on its way: the store is behind.
            while (inFlight.Count > 0 && (inFlight.Count > MaxInFlight || inFlight.Peek().Stored.IsCompleted))
            {
                failed |= !await SettleAsync(inFlight.Dequeue()).ConfigureAwait(false);
            }
        }

        while (inFlight.Count > 0)
        {
            failed |= !await SettleAsync(inFlight.Dequeue()).ConfigureAwait(false);
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

    /// <summary>Waits for one batch: counted when stored. The first failure ends the stream as
    /// an error; the chain then refuses every later batch, so none of them is counted either.</summary>
    /// <returns>Whether the batch was stored.</returns>
    private async Task<bool> SettleAsync((Task Stored, int Count) batch)
    {
        try
        {
            await batch.Stored.ConfigureAwait(false);
            _stored += batch.Count;
            return true;
        }
#pragma warning disable CA1031 // Any failure to store ends the stream as an error; it must not end the loop unreported.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Failed(exception);
            return false;
        }
    }

    /// <summary>Ends the stream as an error for the first store failure; later ones (the chain's refusals) change nothing.</summary>
    /// <returns>True.</returns>
    private bool Failed(Exception exception)
    {
        if (!_storeFailed)
        {
            _storeFailed = true;
            ForceError($"The hub could not store the stream: {exception.Message}");
        }

        return true;
    }

    /// <summary>A failed store ends the stream as an error, overriding an end already asked for:
    /// the stream did not get all it was given. Later writes are discarded.</summary>
    private void ForceError(string reason)
    {
        lock (_gate)
        {
            _ending = true;
            _status = TokenStreamStatus.Error;
            _reason = reason;
        }

        _parts.Writer.TryComplete();
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
