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
            throw Exists(streamId);
        }

        try
        {
            // The history outlives this registry (a restart, another node): an id it holds is taken.
            HistoryCursor existing = await _hub.Log.FindAsync(TokenStreamNames.EventId(streamId, 0), cancellationToken).ConfigureAwait(false);
            if (existing.Found)
            {
                throw Exists(streamId);
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

    private void Ended(TokenStreamProducer stream)
    {
        stream.MarkEnded(Math.Max(1, _time.GetTimestamp()));
        Interlocked.Decrement(ref _active);
    }

    private static TokenStreamExistsException Exists(string streamId) =>
        new($"The stream id \"{streamId}\" was used before; stream ids are single use, so open a new one (a UUID) for every generation.");
}
