using Microsoft.Extensions.Options;

namespace Herald.Hub.History;

/// <summary>
/// A bounded in-memory history: the newest <see cref="HeraldOptions.HistorySize"/> updates. For
/// embedding and tests; nothing survives a restart, and idempotency by id holds only for the ids
/// still retained.
/// </summary>
public sealed class MemoryEventLog : IEventLog
{
    private readonly RecentUpdates _recent;
    private readonly TimeProvider _time;
    private long _lastSequence;
    private long _lastMilliseconds;

    /// <summary>Creates a log that keeps the newest <paramref name="capacity"/> updates.</summary>
    /// <param name="capacity">How many updates to retain; 0 keeps none.</param>
    /// <param name="time">The clock for generated ids; the system clock by default.</param>
    public MemoryEventLog(int capacity, TimeProvider? time = null)
    {
        _recent = new RecentUpdates(capacity);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Creates a log sized by <see cref="HeraldOptions.HistorySize"/>.</summary>
    /// <param name="options">The hub options.</param>
    /// <param name="time">The clock for generated ids.</param>
    public MemoryEventLog(IOptions<HeraldOptions> options, TimeProvider time)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value.HistorySize, time)
    {
    }

    /// <inheritdoc />
    public string? LastEventId => _recent.Newest?.Update.Id;

    /// <summary>How many updates it keeps at most.</summary>
    public int Capacity => _recent.Capacity;

    /// <summary>How many updates are retained now.</summary>
    public int Count => _recent.Count;

    /// <inheritdoc />
    public ValueTask<AppendOutcome[]> AppendAsync(IReadOnlyList<Update> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var outcomes = new AppendOutcome[updates.Count];
        long milliseconds = _lastMilliseconds = Math.Max(_lastMilliseconds, _time.GetUtcNow().ToUnixTimeMilliseconds());
        for (int i = 0; i < outcomes.Length; i++)
        {
            Update update = updates[i];
            if (update.Id is { } id && _recent.TryFind(id, out long stored))
            {
                outcomes[i] = new AppendOutcome(stored, Duplicate: true);
                continue;
            }

            long sequence = ++_lastSequence;
            update.Id ??= HubIds.Create(sequence, milliseconds);
            _recent.Add(new LoggedUpdate(sequence, update));
            outcomes[i] = new AppendOutcome(sequence, Duplicate: false);
        }

        return ValueTask.FromResult(outcomes);
    }

    /// <inheritdoc />
    public ValueTask<HistoryCursor> FindAsync(string lastEventId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(
            lastEventId == HistoryCursor.Earliest ? new HistoryCursor(true, 0)
            : _recent.TryFind(lastEventId, out long sequence) ? new HistoryCursor(true, sequence)
            : HistoryCursor.NotFound);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<LoggedUpdate>> ReadAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);

        // Nothing older than the tail exists here: a cursor before it starts at the oldest held.
        return ValueTask.FromResult(
            _recent.TryRead(afterSequence, limit)
            ?? _recent.TryRead(Math.Max(afterSequence, _recent.OldestSequence - 1), limit)
            ?? []);
    }
}
