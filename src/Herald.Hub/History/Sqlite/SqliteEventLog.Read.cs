namespace Herald.Hub.History.Sqlite;

public sealed partial class SqliteEventLog
{
    /// <inheritdoc />
    /// <remarks>Ids in the in-memory tail are found without reading the store; older ones through
    /// the unique index on id. An evicted id is not found.</remarks>
    public ValueTask<HistoryCursor> FindAsync(string lastEventId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lastEventId);
        cancellationToken.ThrowIfCancellationRequested();
        if (lastEventId == HistoryCursor.Earliest)
        {
            return ValueTask.FromResult(new HistoryCursor(true, 0));
        }

        if (_recent.TryFind(lastEventId, out long sequence))
        {
            return ValueTask.FromResult(new HistoryCursor(true, sequence));
        }

        long stored = WithReader(session => session.Find(lastEventId));
        return ValueTask.FromResult(stored > 0 ? new HistoryCursor(true, stored) : HistoryCursor.NotFound);
    }

    /// <inheritdoc />
    /// <remarks>Served from memory when the tail covers <paramref name="afterSequence"/>; otherwise
    /// one indexed range read of at most <paramref name="limit"/> rows. A cursor older than the
    /// oldest retained update reads from the oldest retained.</remarks>
    public ValueTask<IReadOnlyList<LoggedUpdate>> ReadAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        cancellationToken.ThrowIfCancellationRequested();
        if (_recent.TryRead(afterSequence, limit) is { } fromMemory)
        {
            return ValueTask.FromResult(fromMemory);
        }

        return ValueTask.FromResult<IReadOnlyList<LoggedUpdate>>(WithReader(session => session.Read(afterSequence, limit)));
    }

    /// <summary>Runs <paramref name="read"/> on a pooled read session. The query is synchronous:
    /// SQLite has no asynchronous I/O, and a page or an index lookup takes well under a millisecond
    /// when cached.</summary>
    private T WithReader<T>(Func<ReadSession, T> read)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ReadSession session = _readers.Rent();
        T result;
        try
        {
            result = read(session);
        }
        catch
        {
            // A session that failed mid-query is not reused.
            session.Dispose();
            throw;
        }

        _readers.Return(session);
        return result;
    }
}
