using Microsoft.Extensions.Options;

namespace Herald.Hub.History;

/// <summary>
/// A bounded in-memory history: the newest <see cref="HeraldOptions.HistorySize"/> updates, with
/// an index from id to sequence. For embedding and tests; nothing survives a restart.
/// </summary>
public sealed class MemoryEventLog : IEventLog
{
    private readonly Lock _lock = new();
    private readonly int _capacity;
    private readonly LoggedUpdate[] _ring;
    private readonly Dictionary<string, long> _sequences = new(StringComparer.Ordinal);
    private long _nextSequence = 1;
    private int _count;

    /// <summary>Creates a log that keeps the newest <paramref name="capacity"/> updates.</summary>
    /// <param name="capacity">How many updates to retain; 0 keeps none.</param>
    public MemoryEventLog(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _capacity = capacity;
        _ring = new LoggedUpdate[Math.Max(capacity, 1)];
    }

    /// <summary>Creates a log sized by <see cref="HeraldOptions.HistorySize"/>.</summary>
    /// <param name="options">The hub options.</param>
    public MemoryEventLog(IOptions<HeraldOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value.HistorySize)
    {
    }

    /// <inheritdoc />
    public string? LastEventId
    {
        get
        {
            lock (_lock)
            {
                return _count == 0 ? null : _ring[(int)((_nextSequence - 1) % _ring.Length)].Update.Id;
            }
        }
    }

    /// <summary>How many updates it keeps at most.</summary>
    public int Capacity => _capacity;

    /// <summary>How many updates are retained now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<long> AppendAsync(Update update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_lock)
        {
            long sequence = _nextSequence++;
            if (_capacity == 0)
            {
                return ValueTask.FromResult(sequence);
            }

            int slot = (int)(sequence % _ring.Length);
            if (_count == _capacity)
            {
                // Evict the oldest; its id maps elsewhere only if a later update reused it.
                LoggedUpdate evicted = _ring[slot];
                if (evicted.Update.Id is { } evictedId && _sequences.TryGetValue(evictedId, out long mapped) && mapped == evicted.Sequence)
                {
                    _sequences.Remove(evictedId);
                }
            }
            else
            {
                _count++;
            }

            _ring[slot] = new LoggedUpdate(sequence, update);
            _sequences[update.Id!] = sequence;
            return ValueTask.FromResult(sequence);
        }
    }

    /// <inheritdoc />
    public ValueTask<HistoryCursor> FindAsync(string lastEventId, CancellationToken cancellationToken)
    {
        if (lastEventId == HistoryCursor.Earliest)
        {
            return ValueTask.FromResult(new HistoryCursor(true, 0));
        }

        lock (_lock)
        {
            return ValueTask.FromResult(_sequences.TryGetValue(lastEventId, out long sequence)
                ? new HistoryCursor(true, sequence)
                : HistoryCursor.NotFound);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<LoggedUpdate>> ReadAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        lock (_lock)
        {
            long oldest = _nextSequence - _count;
            long first = Math.Max(afterSequence + 1, oldest);
            long end = Math.Min(_nextSequence, first + limit);
            if (first >= end)
            {
                return ValueTask.FromResult<IReadOnlyList<LoggedUpdate>>([]);
            }

            var page = new LoggedUpdate[end - first];
            for (long sequence = first; sequence < end; sequence++)
            {
                page[sequence - first] = _ring[(int)(sequence % _ring.Length)];
            }

            return ValueTask.FromResult<IReadOnlyList<LoggedUpdate>>(page);
        }
    }
}
