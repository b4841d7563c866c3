namespace Herald.Hub.History;

/// <summary>
/// The newest updates in memory, in sequence order, with an index from id to sequence: the whole
/// history of <see cref="MemoryEventLog"/>, and the hot tail a durable log serves recent
/// resumes from without reading its store. Thread-safe.
/// </summary>
public sealed class RecentUpdates
{
    private readonly Lock _lock = new();
    private readonly LoggedUpdate[] _ring;
    private readonly Dictionary<string, long> _sequences = new(StringComparer.Ordinal);
    private int _count;
    private int _newest = -1;

    /// <summary>Creates a tail that keeps the newest <paramref name="capacity"/> updates.</summary>
    /// <param name="capacity">How many updates to keep; 0 keeps none.</param>
    public RecentUpdates(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
        _ring = new LoggedUpdate[Math.Max(capacity, 1)];
    }

    /// <summary>How many updates it keeps at most.</summary>
    public int Capacity { get; }

    /// <summary>How many updates it holds now.</summary>
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

    /// <summary>The newest update, or <see langword="null"/> when empty.</summary>
    public LoggedUpdate? Newest
    {
        get
        {
            lock (_lock)
            {
                return _count == 0 ? null : _ring[NewestSlot()];
            }
        }
    }

    /// <summary>The sequence of the oldest update held, or 0 when empty.</summary>
    public long OldestSequence
    {
        get
        {
            lock (_lock)
            {
                return _count == 0 ? 0 : _ring[(NewestSlot() - _count + 1 + _ring.Length) % _ring.Length].Sequence;
            }
        }
    }

    /// <summary>Adds the next update; its sequence must be greater than every one before it. The
    /// oldest is dropped past the capacity.</summary>
    public void Add(LoggedUpdate logged)
    {
        if (Capacity == 0)
        {
            return;
        }

        lock (_lock)
        {
            int slot = (NewestSlot() + 1) % _ring.Length;
            if (_count == Capacity)
            {
                // Drop the oldest; its id maps elsewhere only if a later update reused it.
                LoggedUpdate dropped = _ring[slot];
                if (_sequences.TryGetValue(dropped.Update.Id!, out long mapped) && mapped == dropped.Sequence)
                {
                    _sequences.Remove(dropped.Update.Id!);
                }
            }
            else
            {
                _count++;
            }

            _ring[slot] = logged;
            _newest = slot;
            _sequences[logged.Update.Id!] = logged.Sequence;
        }
    }

    private int NewestSlot() => _newest < 0 ? _ring.Length - 1 : _newest;

    /// <summary>The sequence of the held update with this id.</summary>
    public bool TryFind(string id, out long sequence)
    {
        lock (_lock)
        {
            return _sequences.TryGetValue(id, out sequence);
        }
    }

    /// <summary>
    /// The held updates after <paramref name="afterSequence"/>, at most <paramref name="limit"/>;
    /// or <see langword="null"/> when some update after it may be older than what is held (the
    /// caller must read its store).
    /// </summary>
    public IReadOnlyList<LoggedUpdate>? TryRead(long afterSequence, int limit)
    {
        lock (_lock)
        {
            if (_count == 0)
            {
                return null;
            }

            int oldestSlot = (NewestSlot() - _count + 1 + _ring.Length) % _ring.Length;
            if (afterSequence < _ring[oldestSlot].Sequence - 1)
            {
                return null;
            }

            // Sequences increase around the ring: binary search for the first one after the cursor.
            int low = 0, high = _count;
            while (low < high)
            {
                int middle = (low + high) >>> 1;
                if (_ring[(oldestSlot + middle) % _ring.Length].Sequence > afterSequence)
                {
                    high = middle;
                }
                else
                {
                    low = middle + 1;
                }
            }

            var page = new LoggedUpdate[Math.Min(limit, _count - low)];
            for (int i = 0; i < page.Length; i++)
            {
                page[i] = _ring[(oldestSlot + low + i) % _ring.Length];
            }

            return page;
        }
    }

    /// <summary>Drops every update with a sequence at or below <paramref name="sequence"/> (retention).</summary>
    public void RemoveThrough(long sequence)
    {
        lock (_lock)
        {
            while (_count > 0)
            {
                int oldestSlot = (NewestSlot() - _count + 1 + _ring.Length) % _ring.Length;
                LoggedUpdate oldest = _ring[oldestSlot];
                if (oldest.Sequence > sequence)
                {
                    return;
                }

                if (_sequences.TryGetValue(oldest.Update.Id!, out long mapped) && mapped == oldest.Sequence)
                {
                    _sequences.Remove(oldest.Update.Id!);
                }

                _ring[oldestSlot] = default;
                _count--;
            }
        }
    }
}
