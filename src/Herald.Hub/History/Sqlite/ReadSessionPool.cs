using System.Collections.Concurrent;

namespace Herald.Hub.History.Sqlite;

/// <summary>
/// Read sessions kept open between reads, so a replay page costs a query, not a connection open
/// and statement preparation. Concurrent readers each rent their own; at most
/// <see cref="MaxIdle"/> are kept idle, the rest closed on return.
/// </summary>
internal sealed class ReadSessionPool(string connectionString) : IDisposable
{
    /// <summary>Enough idle sessions for the concurrent replays of a busy hub; more are opened on demand.</summary>
    private const int MaxIdle = 16;

    private readonly ConcurrentBag<ReadSession> _idle = [];
    private volatile bool _disposed;

    public ReadSession Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _idle.TryTake(out ReadSession? session) ? session : new ReadSession(connectionString);
    }

    public void Return(ReadSession session)
    {
        if (_disposed || _idle.Count >= MaxIdle)
        {
            session.Dispose();
            return;
        }

        _idle.Add(session);

        // Disposal may have drained the pool between the check and the add.
        if (_disposed)
        {
            DisposeIdle();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        DisposeIdle();
    }

    private void DisposeIdle()
    {
        while (_idle.TryTake(out ReadSession? session))
        {
            session.Dispose();
        }
    }
}
