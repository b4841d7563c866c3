using System.Collections.Concurrent;
using System.Threading.Channels;
using Herald.Hub.Delivery;
using Herald.Hub.Diagnostics;
using Herald.Hub.History;
using Herald.Hub.Selectors;
using Herald.Hub.Streams;
using Herald.Sse;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Herald.Hub;

/// <summary>
/// The engine: stores each update, encodes it once, and hands the shared frame to the queues of
/// the subscribers the topic index finds. Also admits subscribers (the connection cap), and
/// sends heartbeats and ends subscriptions at their deadline. Over a log of its own the hub
/// dispatches each batch it appended; over an <see cref="ISharedEventLog"/> it dispatches what it
/// follows from the log, so every node delivers every node's updates in the log's order.
/// </summary>
public sealed class HeraldHub : IHeraldPublisher, IDisposable
{
    private static readonly SseFrame Heartbeat = SseFrame.Constant(":\n\n"u8.ToArray());

    private readonly IEventLog _log;
    private readonly HeraldOptions _options;
    private readonly TimeProvider _time;
    private readonly TopicSelectorCache _selectors;
    private readonly TopicIndex _index = new();
    private readonly ConcurrentDictionary<Subscriber, byte> _subscribers = new();
    /// <summary>The most publishes stored in one append.</summary>
    private const int MaxBatch = 1_024;

    private readonly Channel<PendingPublish> _pending = Channel.CreateUnbounded<PendingPublish>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _dispatchLock = new();
    private readonly Task _writer;
    private readonly Task? _follower;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private volatile bool _following;
    private long _historyFailedAt;
    private volatile bool _draining;
    private readonly TaskCompletionSource _followStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Subscriber> _matches = [];
    private int _admitted;
    private int _disposed;
    private int _admittedConnections;
    private readonly HubMetrics _metrics;
    private readonly bool _ownsMetrics;

    /// <summary>Creates the hub.</summary>
    /// <param name="log">Where updates are stored for resuming subscribers.</param>
    /// <param name="options">The hub options.</param>
    /// <param name="time">The clock for heartbeats and deadlines.</param>
    /// <param name="selectors">The compiled topic selectors, shared with authorization.</param>
    /// <param name="logger">Where the hub reports losing and regaining a shared log.</param>
    /// <param name="metrics">Where the hub records its metrics; instruments of its own when none is given.</param>
    public HeraldHub(IEventLog log, IOptions<HeraldOptions> options, TimeProvider time, TopicSelectorCache selectors, ILogger<HeraldHub>? logger = null, HubMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(selectors);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _log = log;
        _options = options.Value;
        _time = time;
        _selectors = selectors;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        SlowConsumerPolicies = new SlowConsumerPolicies(_options, selectors);
        _ownsMetrics = metrics is null;
        _metrics = metrics ?? new HubMetrics();
        _metrics.Observe(this);
        SubscriptionLog = new SubscriptionLog(_logger, time);
        MaxSubscribers = _options.MaxSubscribers > 0 ? _options.MaxSubscribers : int.MaxValue;
        MaxSubscriberConnections = _options.MaxSubscribers > 0 ? _options.MaxSubscribers : SubscriberCap.FromDescriptorLimit();
        SubscribersPerClient = new Limits.ClientCounter(_options.Limits.MaxSubscribersPerIp);
        _writer = Task.Run(WriteLoopAsync);
        if (log is ISharedEventLog shared)
        {
            _follower = Task.Run(() => FollowLoopAsync(shared));
        }
    }

    /// <summary>Whether the hub is delivering its history's updates as they come: always for a log
    /// of its own; over a shared log, once it reads the log and for as long as it can.</summary>
    public bool IsFollowing => _follower is null || _following;

    /// <summary>Whether the history's last append failed (a disk gone, a store out of reach)
    /// within the last <see cref="HeraldOptions.RetryAfter"/>. The answer lapses after that even
    /// with no append since: a node taken out of rotation for it would otherwise get no publish
    /// that could show the store is back.</summary>
    public bool IsHistoryFailing =>
        Volatile.Read(ref _historyFailedAt) is var failedAt and not 0 && _time.GetElapsedTime(failedAt) < _options.RetryAfter;

    /// <summary>Whether the hub is draining: stopping gracefully, it closes its subscriptions over
    /// <see cref="HeraldOptions.DrainWindow"/>, reports itself not ready, and answers new
    /// subscriptions and publishes over HTTP with 503 (in-process publishes are still taken).</summary>
    public bool IsDraining => _draining;

    /// <summary>Starts draining (<see cref="IsDraining"/>); there is no way back but a new hub.</summary>
    internal void BeginDrain() => _draining = true;

    /// <summary>Completes once the hub knows where its shared log stands, and so delivers every
    /// update stored after that; at once for a log of its own. A subscriber registered earlier
    /// could miss an update stored between its registration and that moment.</summary>
    internal Task FollowStarted => _follower is null ? Task.CompletedTask : _followStarted.Task;

    /// <summary>How many subscribers may be connected at once (<see cref="HeraldOptions.MaxSubscribers"/>; unbounded when it is 0).</summary>
    public int MaxSubscribers { get; }

    /// <summary>How many subscribers holding a connection of their own (HTTP/1.x, a file
    /// descriptor each) may be connected at once: <see cref="HeraldOptions.MaxSubscribers"/>, or
    /// when it is 0 a margin below the process's descriptor limit. HTTP/2 streams share their
    /// connection, so they do not count here.</summary>
    public int MaxSubscriberConnections { get; }

    /// <summary>The subscriptions each client address holds, under <see cref="Limits.HeraldLimitsOptions.MaxSubscribersPerIp"/>.</summary>
    internal Limits.ClientCounter SubscribersPerClient { get; }

    /// <summary>How many subscribers are connected now (admitted and not yet gone).</summary>
    public int SubscriberCount => Volatile.Read(ref _admitted);

    /// <summary>The history.</summary>
    public IEventLog Log => _log;

    internal TimeProvider Time => _time;

    /// <summary>The per-subscription lines of the log, within their budget.</summary>
    internal SubscriptionLog SubscriptionLog { get; }

    /// <summary>Where the hub, its endpoints and its subscribers record metrics.</summary>
    internal HubMetrics Metrics => _metrics;

    internal HeraldOptions Options => _options;

    internal ICollection<Subscriber> Subscribers => _subscribers.Keys;

    internal TopicSelectorCache Selectors => _selectors;

    /// <summary>Each subscription's slow-consumer policy, from the options' default and rules.</summary>
    internal SlowConsumerPolicies SlowConsumerPolicies { get; }

    /// <summary>Called, in log order, with each token stream control update the hub follows
    /// (<see cref="TokenStreamNames.IsControl"/>): the token streams registry takes them. Called
    /// under the dispatch lock, so the handler must hand any real work off.</summary>
    internal Action<Update>? ControlReceived { get; set; }

    /// <inheritdoc />
    public async ValueTask<string> PublishAsync(Update update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        Validate(update);
        var pending = new PendingPublish([update], _time.GetTimestamp());
        Enqueue(pending);

        // A cancelled wait leaves the update to be committed or not; a retry with the same id is
        // idempotent either way.
        await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return update.Id!;
    }

    /// <summary>
    /// Stores <paramref name="updates"/> in one append, all or none, then delivers them in order:
    /// a token stream's way of publishing. With a <paramref name="chain"/>, the batch is refused
    /// (not stored) when an earlier batch of the chain failed, so batches may be handed over
    /// without waiting for each other and still never leave a gap followed by later updates.
    /// </summary>
    /// <returns>Whether every update was stored anew: false when the log already held one of
    /// their ids (on a shared log, perhaps appended by another node a moment earlier).</returns>
    /// <exception cref="ArgumentException">An update's id or type is invalid.</exception>
    /// <exception cref="ObjectDisposedException">The hub is stopping.</exception>
    internal Task<bool> PublishBatchAsync(IReadOnlyList<Update> updates, PublishChain? chain = null)
    {
        foreach (Update update in updates)
        {
            Validate(update);
        }

        var pending = new PendingPublish(updates, _time.GetTimestamp(), chain);
        Enqueue(pending);
        return pending.Completion.Task;
    }

    private static void Validate(Update update)
    {
        if (DescribeInvalidId(update.Id) is { } idError)
        {
            throw new ArgumentException(idError, nameof(update));
        }

        if (SseEncoder.DescribeInvalidField(update.Type, "type") is { } typeError)
        {
            throw new ArgumentException(typeError, nameof(update));
        }
    }

    private void Enqueue(PendingPublish pending)
    {
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(HeraldHub), "The hub is stopping.");
        }
    }

    /// <summary>
    /// The one writer: takes every publish waiting (up to <see cref="MaxBatch"/>), stores them in
    /// one append (one transaction for a durable log), then delivers the new ones in sequence
    /// order and answers their publishers. Concurrent publishers thus share a commit, and live
    /// order is log order.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        ChannelReader<PendingPublish> reader = _pending.Reader;
        var batch = new List<PendingPublish>();
        var updates = new List<Update>(MaxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            updates.Clear();
            // A publish is never split: a batch larger than MaxBatch goes alone.
            while (updates.Count < MaxBatch && reader.TryPeek(out PendingPublish? next)
                && (updates.Count == 0 || updates.Count + next.Updates.Count <= MaxBatch)
                && reader.TryRead(out PendingPublish? pending))
            {
                if (pending.Chain is { IsBroken: true })
                {
                    pending.Completion.TrySetException(new InvalidOperationException("An earlier batch of the same stream was not stored, so neither is this one."));
                    continue;
                }

                batch.Add(pending);
                updates.AddRange(pending.Updates);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            AppendOutcome[] outcomes;
            try
            {
                outcomes = await _log.AppendAsync(updates, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Any failure of the store fails this batch's publishes, never the writer.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Volatile.Write(ref _historyFailedAt, Math.Max(1, _time.GetTimestamp()));
                foreach (PendingPublish pending in batch)
                {
                    pending.Chain?.Break();
                    pending.Completion.TrySetException(exception);
                }

                continue;
            }

            Volatile.Write(ref _historyFailedAt, 0);
            long storedAt = _time.GetTimestamp();
            int stored = 0;
            for (int i = 0; i < outcomes.Length; i++)
            {
                stored += outcomes[i].Duplicate ? 0 : 1;
            }

            _metrics.Published(stored);
            if (_follower is null)
            {
                lock (_dispatchLock)
                {
                    for (int i = 0; i < updates.Count; i++)
                    {
                        if (!outcomes[i].Duplicate)
                        {
                            Dispatch(updates[i], outcomes[i].Sequence, storedAt);
                        }
                    }
                }
            }

            int at = 0;
            foreach (PendingPublish pending in batch)
            {
                bool allNew = true;
                for (int i = 0; i < pending.Updates.Count; i++)
                {
                    allNew &= !outcomes[at + i].Duplicate;
                }

                at += pending.Updates.Count;
                pending.Completion.TrySetResult(allNew);
            }

            long answered = _time.GetTimestamp();
            foreach (PendingPublish pending in batch)
            {
                _metrics.PublishCompleted(_time.GetElapsedTime(pending.ReceivedTimestamp, answered).TotalSeconds);
            }
        }
    }

    /// <summary>
    /// Over a shared log: delivers what the log's nodes append, in sequence order, from the newest
    /// update when the hub starts (subscribers replay anything older). When the store cannot be
    /// reached, subscribers keep their connections and the loop retries from the last sequence it
    /// delivered, so they are caught up in order, with no gap, when it returns. A gap it cannot
    /// fill (the updates were trimmed meanwhile, or the store lost them) closes every subscription:
    /// each client resumes with its last event id and is told what it missed.
    /// </summary>
    private async Task FollowLoopAsync(ISharedEventLog shared)
    {
        CancellationToken stopping = _stopping.Token;
        long after = -1;
        bool lost = false;
        TimeSpan delay = MinFollowRetry;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (after < 0 || lost)
                {
                    long last = await shared.GetLastSequenceAsync(stopping).ConfigureAwait(false);
                    if (after < 0)
                    {
                        after = last;
                        _followStarted.TrySetResult();
                    }
                    else if (last < after)
                    {
                        // The store came back without updates already delivered (restarted with no
                        // persistence): its sequences no longer compare with what clients hold.
                        HeraldHubMessages.SharedLogLost(_logger, last, after);
                        CloseAll(SubscriberCloseReason.HistoryGap);
                        after = last;
                    }

                    // The log answered and the loop knows where it stands: ready now, not only
                    // when the first blocking read returns (up to its wait on a quiet log).
                    HeraldHubMessages.SharedLogFollowed(_logger, after);
                    lost = false;
                    _following = true;
                }

                IReadOnlyList<LoggedUpdate> page = await shared.FollowAsync(after, stopping).ConfigureAwait(false);
                delay = MinFollowRetry;
                if (page.Count == 0)
                {
                    continue;
                }

                if (page[0].Sequence != after + 1)
                {
                    HeraldHubMessages.SharedLogGap(_logger, after + 1, page[0].Sequence - 1);
                    CloseAll(SubscriberCloseReason.HistoryGap);
                }

                // Over a shared log, "stored" is when this node reads the update.
                long read = _time.GetTimestamp();
                lock (_dispatchLock)
                {
                    foreach (LoggedUpdate logged in page)
                    {
                        Dispatch(logged.Update, logged.Sequence, read);
                    }
                }

                after = page[^1].Sequence;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The loop outlives any failure of the store; it reports and retries.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                if (!lost)
                {
                    HeraldHubMessages.SharedLogUnreachable(_logger, exception, after);
                }

                lost = true;
                _following = false;
                try
                {
                    await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxFollowRetry.Ticks));
            }
        }
    }

    /// <summary>The first wait before reading a shared log again after a failure.</summary>
    private static readonly TimeSpan MinFollowRetry = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest wait between attempts to read a shared log.</summary>
    private static readonly TimeSpan MaxFollowRetry = TimeSpan.FromSeconds(1);

    /// <summary>Describes why a publisher-supplied id cannot be used, or returns <see langword="null"/>.</summary>
    internal static string? DescribeInvalidId(string? id) =>
        id is not null && id.StartsWith('#')
            ? "The id must not start with '#': ids starting with '#' are reserved for ids the hub generates."
            : SseEncoder.DescribeInvalidField(id, "id");

    /// <summary>
    /// Takes one of the <see cref="MaxSubscribers"/> places, and one of the
    /// <see cref="MaxSubscriberConnections"/> when the subscriber holds its own connection; false
    /// when one is full.
    /// </summary>
    internal bool TryAdmit(bool holdsConnection)
    {
        if (Interlocked.Increment(ref _admitted) > MaxSubscribers)
        {
            Interlocked.Decrement(ref _admitted);
            return false;
        }

        if (holdsConnection && Interlocked.Increment(ref _admittedConnections) > MaxSubscriberConnections)
        {
            Interlocked.Decrement(ref _admittedConnections);
            Interlocked.Decrement(ref _admitted);
            return false;
        }

        return true;
    }

    /// <summary>Gives back the places taken by <see cref="TryAdmit"/>.</summary>
    internal void Leave(bool holdsConnection)
    {
        if (holdsConnection)
        {
            Interlocked.Decrement(ref _admittedConnections);
        }

        Interlocked.Decrement(ref _admitted);
    }

    /// <summary>
    /// Starts live delivery to <paramref name="subscriber"/>. When it will also replay history,
    /// registration waits for any publish in progress, so every update is either in the log
    /// before the replay reads it or queued live after registration (or both, and the writer
    /// skips the copy).
    /// </summary>
    internal void Register(Subscriber subscriber)
    {
        lock (_dispatchLock)
        {
            _index.Add(subscriber);
            _subscribers.TryAdd(subscriber, 0);
        }
    }

    /// <summary>Stops live delivery to <paramref name="subscriber"/>.</summary>
    internal void Unregister(Subscriber subscriber)
    {
        if (_subscribers.TryRemove(subscriber, out _))
        {
            _index.Remove(subscriber);
        }
    }

    /// <summary>
    /// Housekeeping for every subscriber, run by one timer for the whole hub rather than one per
    /// connection: a heartbeat for those silent for the heartbeat interval, and the end for those
    /// past their deadline.
    /// </summary>
    internal void Sweep()
    {
        SubscriptionLog.Flush();
        long now = _time.GetTimestamp();
        long heartbeatTicks = (long)(_options.HeartbeatInterval.TotalSeconds * _time.TimestampFrequency);
        // Enumerating the dictionary itself takes no snapshot: Keys would copy every subscriber
        // into a new list on every tick.
        foreach ((Subscriber subscriber, _) in _subscribers)
        {
            if (now >= subscriber.DeadlineTimestamp)
            {
                subscriber.Close(SubscriberCloseReason.Deadline);
            }
            else if (heartbeatTicks > 0 && now - subscriber.LastWriteTimestamp >= heartbeatTicks)
            {
                subscriber.MarkWritten(now);
                subscriber.TryEnqueue(Heartbeat);
            }
        }
    }

    /// <summary>Whether <paramref name="subscriber"/> selected <paramref name="update"/> and may
    /// see it: the replay's test, which live delivery gets from the index.</summary>
    internal bool Wants(Subscriber subscriber, Update update)
    {
        if (TokenStreamNames.IsControl(update))
        {
            // The hub's own messages between nodes: no subscriber ever receives them.
            return false;
        }

        foreach (TopicSelector selector in subscriber.Selectors)
        {
            foreach (string topic in update.Topics)
            {
                if (selector.Matches(topic))
                {
                    return !update.IsPrivate || MayReceivePrivate(subscriber, update);
                }
            }
        }

        return false;
    }

    /// <summary>A private update reaches a subscriber only when its token's <c>mercure.subscribe</c>
    /// selectors match one of the update's topics, canonical or alternate.</summary>
    private bool MayReceivePrivate(Subscriber subscriber, Update update) =>
        subscriber.AuthorizedSelectors is { Count: > 0 } authorized && _selectors.MatchesAny(authorized, update.Topics);

    /// <summary>Frames waiting in every subscriber's queue, and in the fullest one: read for the
    /// queue-depth gauges, without the queues' locks (a gauge needs no exact instant).</summary>
    internal (long Total, int Deepest) QueueDepths()
    {
        long total = 0;
        int deepest = 0;
        foreach ((Subscriber subscriber, _) in _subscribers)
        {
            int depth = subscriber.QueueDepth;
            total += depth;
            deepest = Math.Max(deepest, depth);
        }

        return (total, deepest);
    }

    /// <summary>Ends every subscription (the hub is stopping, unless another reason is given).</summary>
    internal void CloseAll(SubscriberCloseReason reason = SubscriberCloseReason.HubStopping)
    {
        foreach ((Subscriber subscriber, _) in _subscribers)
        {
            subscriber.Close(reason);
        }
    }

    private void Dispatch(Update update, long sequence, long storedTimestamp)
    {
        if (TokenStreamNames.IsControl(update))
        {
            // A message for whichever node produces the stream, never for subscribers.
            ControlReceived?.Invoke(update);
            return;
        }

        _matches.Clear();
        _index.Match(update.Topics, sequence, _matches);
        if (_matches.Count == 0)
        {
            return;
        }

        SseFrame frame = SseFrame.Encode(update, sequence, storedTimestamp);
        try
        {
            foreach (Subscriber subscriber in _matches)
            {
                if (!update.IsPrivate || MayReceivePrivate(subscriber, update))
                {
                    subscriber.TryEnqueue(frame);
                }
            }
        }
        finally
        {
            frame.Release();
            _matches.Clear();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // The container disposes the hub once per registration that hands it out (HeraldHub and
        // IHeraldPublisher): only the first stops it.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        CloseAll();

        // Publishes already accepted are still stored and answered before the hub goes.
        _pending.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
        _stopping.Cancel();
        _follower?.GetAwaiter().GetResult();
        _stopping.Dispose();
        if (_ownsMetrics)
        {
            _metrics.Dispose();
        }
    }

    /// <summary>One publish (one update, or a token stream's batch) waiting to be stored.</summary>
    private sealed class PendingPublish(IReadOnlyList<Update> updates, long receivedTimestamp, PublishChain? chain = null)
    {
        public IReadOnlyList<Update> Updates { get; } = updates;

        /// <summary>When the hub took it, for the publish latency.</summary>
        public long ReceivedTimestamp { get; } = receivedTimestamp;

        public PublishChain? Chain { get; } = chain;

        /// <summary>Completes with whether every update was stored anew (none a duplicate).</summary>
        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
