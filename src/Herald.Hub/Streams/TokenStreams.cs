using System.Collections.Concurrent;
using Herald.Hub.History;
using Microsoft.Extensions.Options;

namespace Herald.Hub.Streams;

/// <summary>
/// The token streams this hub produces: opens them (ids are single use), cancels them, and
/// remembers ended ones for <see cref="HeraldOptions.StreamTtl"/> so a late cancel is answered
/// with the stream's end rather than "unknown". Inject it to produce a stream from inside the
/// application; the HTTP streaming publish goes through it too.
/// </summary>
public sealed class TokenStreams
{
    private readonly HeraldHub _hub;
    private readonly HeraldOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, TokenStreamProducer> _streams = new(StringComparer.Ordinal);
    private int _active;

    /// <summary>Creates the registry.</summary>
    /// <param name="hub">The hub the streams publish to.</param>
    /// <param name="options">The hub options (limits and TTL).</param>
    /// <param name="time">The clock for the TTL.</param>
    public TokenStreams(HeraldHub hub, IOptions<HeraldOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _hub = hub;
        _options = options.Value;
        _time = time;

        // Cancel requests from other nodes arrive through the shared history.
        hub.ControlReceived = OnControl;
    }

    /// <summary>How many streams are active now.</summary>
    public int ActiveCount => Volatile.Read(ref _active);

    /// <summary>
    /// Opens a stream: stores its <c>active</c> event, after which readers see it.
    /// </summary>
    /// <param name="streamId">A new id: 1 to 128 characters of <c>A-Z a-z 0-9 - _ . ~</c>.</param>
    /// <param name="isPrivate">Whether only readers authorized for its topic may read it.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <returns>The producer's side of the stream.</returns>
    /// <exception cref="ArgumentException">The id is invalid.</exception>
    /// <exception cref="TokenStreamExistsException">The id was used before.</exception>
    /// <exception cref="TokenStreamLimitException">The hub is at <see cref="HeraldOptions.MaxActiveStreams"/>.</exception>
    public async Task<TokenStreamProducer> OpenAsync(string streamId, bool isPrivate = false, CancellationToken cancellationToken = default)
    {
        if (!TokenStreamNames.IsValidId(streamId))
        {
            throw new ArgumentException("A stream id is 1 to 128 characters of A-Z, a-z, 0-9, '-', '_', '.' and '~'.", nameof(streamId));
        }

        if (Interlocked.Increment(ref _active) > _options.MaxActiveStreams)
        {
            Interlocked.Decrement(ref _active);
            throw new TokenStreamLimitException($"The hub has {_options.MaxActiveStreams} active streams, as many as it allows; retry later.");
        }

        var stream = new TokenStreamProducer(_hub, streamId, isPrivate, Ended);
        if (!_streams.TryAdd(streamId, stream))
        {
            Interlocked.Decrement(ref _active);
            throw TokenStreamExistsException.For(streamId);
        }

        try
        {
            // The history outlives this registry (a restart, another node): an id it holds is taken.
            HistoryCursor existing = await _hub.Log.FindAsync(TokenStreamNames.EventId(streamId, 0), cancellationToken).ConfigureAwait(false);
            if (existing.Found)
            {
                throw TokenStreamExistsException.For(streamId);
            }

            await stream.StartAsync().ConfigureAwait(false);
            return stream;
        }
        catch
        {
            _streams.TryRemove(new KeyValuePair<string, TokenStreamProducer>(streamId, stream));
            Interlocked.Decrement(ref _active);
            throw;
        }
    }

    /// <summary>Cancels an active stream: its producer's <see cref="TokenStreamProducer.Cancelled"/>
    /// fires and the stream ends as cancelled.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="reason">Why, for readers; a default when <see langword="null"/>.</param>
    /// <returns>What the cancel found.</returns>
    public TokenStreamCancelOutcome Cancel(string streamId, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        return _streams.TryGetValue(streamId, out TokenStreamProducer? stream)
            ? stream.Cancel(reason)
            : TokenStreamCancelOutcome.NotFound;
    }

    /// <summary>
    /// Finds a stream for a cancel: the producer when this node has it (active, or ended within
    /// the TTL); else, over a history shared with other nodes, what the history says about a
    /// stream another node produces (its <c>active</c> event, then its final one if it has ended).
    /// <see langword="null"/> when neither knows it.
    /// </summary>
    /// <exception cref="Exception">The shared history cannot be read.</exception>
    internal async Task<TokenStreamState?> FindAsync(string streamId, CancellationToken cancellationToken)
    {
        if (_streams.TryGetValue(streamId, out TokenStreamProducer? stream))
        {
            return TokenStreamState.Of(stream);
        }

        // One node's registry holds every stream it produced within the TTL: the history adds
        // nothing there but streams a crash left without an end, which no cancel could end.
        return _hub.Log is ISharedEventLog ? await FindInHistoryAsync(streamId, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <summary>
    /// Cancels a stream <see cref="FindAsync"/> found. A producer on this node is cancelled at
    /// once; one on another node is sent a cancel request through the shared history, which that
    /// node's registry turns into the same cancel (<see cref="OnControl"/>), in log order and
    /// after any outage of the store, since the request is stored like any update.
    /// </summary>
    /// <exception cref="Exception">The request could not be stored (the shared store is out of reach).</exception>
    internal async Task<TokenStreamCancelOutcome> CancelAsync(string streamId, TokenStreamState found, string? reason, CancellationToken cancellationToken)
    {
        if (found.Producer is { } producer)
        {
            return producer.Cancel(reason);
        }

        if (found.Status != TokenStreamStatus.Active)
        {
            return TokenStreamCancelOutcome.AlreadyEnded;
        }

        var request = new Update(
            [TokenStreamNames.ControlTopicOf(streamId)],
            new TokenStreamNotice(streamId, Reason: reason).ToJson(),
            type: TokenStreamNames.CancelEventType,
            isPrivate: true);
        await _hub.PublishAsync(request, cancellationToken).ConfigureAwait(false);
        return TokenStreamCancelOutcome.Cancelled;
    }

    /// <summary>The stream with that id, active or ended within the TTL, if this hub produces it.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="stream">The stream, when found.</param>
    public bool TryGet(string streamId, out TokenStreamProducer? stream) => _streams.TryGetValue(streamId, out stream);

    /// <summary>Forgets streams that ended more than <see cref="HeraldOptions.StreamTtl"/> ago;
    /// run on the hub's housekeeping tick.</summary>
    internal void Sweep()
    {
        long now = _time.GetTimestamp();
        long ttl = (long)(_options.StreamTtl.TotalSeconds * _time.TimestampFrequency);
        foreach ((string id, TokenStreamProducer stream) in _streams)
        {
            long ended = stream.EndedTimestamp;
            if (ended != 0 && now - ended >= ttl)
            {
                _streams.TryRemove(new KeyValuePair<string, TokenStreamProducer>(id, stream));
            }
        }
    }

    /// <summary>The longest page read while looking for a stream's end in the history.</summary>
    private const int HistoryPage = 1_024;

    /// <summary>A stream as the history tells it: unknown without its <c>active</c> event, ended
    /// once its final lifecycle event follows. The scan runs from the stream's start, so it reads
    /// at most the stream's own lifetime of history.</summary>
    private async Task<TokenStreamState?> FindInHistoryAsync(string streamId, CancellationToken cancellationToken)
    {
        HistoryCursor start = await _hub.Log.FindAsync(TokenStreamNames.EventId(streamId, 0), cancellationToken).ConfigureAwait(false);
        if (!start.Found)
        {
            return null;
        }

        string topic = TokenStreamNames.TopicOf(streamId);
        long after = start.AfterSequence - 1;
        bool? isPrivate = null;
        while (true)
        {
            IReadOnlyList<LoggedUpdate> page = await _hub.Log.ReadAsync(after, HistoryPage, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                return new TokenStreamState(isPrivate ?? false, TokenStreamStatus.Active, null, null);
            }

            foreach (LoggedUpdate logged in page)
            {
                after = logged.Sequence;
                Update update = logged.Update;
                if (update.Topics.Count != 1 || update.Topic != topic)
                {
                    continue;
                }

                isPrivate ??= update.IsPrivate;
                if (TokenStreamNames.IsEnd(update))
                {
                    TokenStreamNotice? notice = TokenStreamNotice.Parse(update.Data);
                    return new TokenStreamState(isPrivate.Value, TokenStreamNotice.StatusOf(notice?.Status), notice?.Reason, null);
                }
            }
        }
    }

    /// <summary>A control update followed from the shared history: a cancel request, which only
    /// the node producing the stream acts on. It runs off the dispatch (which calls this under its
    /// lock), since a cancel runs the producer's callbacks.</summary>
    private void OnControl(Update update)
    {
        string streamId = TokenStreamNames.StreamIdOfControl(update);
        if (!_streams.ContainsKey(streamId))
        {
            return;
        }

        string? reason = TokenStreamNotice.Parse(update.Data)?.Reason;
        ThreadPool.QueueUserWorkItem(static state => state.Registry.Cancel(state.StreamId, state.Reason), (Registry: this, StreamId: streamId, Reason: reason), preferLocal: false);
    }

    private void Ended(TokenStreamProducer stream)
    {
        stream.MarkEnded(Math.Max(1, _time.GetTimestamp()));
        Interlocked.Decrement(ref _active);
    }
}
