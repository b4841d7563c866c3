namespace Herald.Server.Bench;

/// <summary>
/// The thread that reads every socket of a worker (an HTTP/1.1 subscriber each, or an HTTP/2
/// connection of many): it waits on one epoll set and reads each ready socket once into a buffer
/// it reuses, so a subscriber costs no buffer, no task and no thread of its own while it waits.
/// </summary>
internal sealed class ReceiveLoop : IDisposable
{
    private readonly int _set = Epoll.Create();
    private readonly IPolledConnection[] _connections;
    private readonly byte[] _buffer;
    private readonly Thread _thread;
    private volatile bool _stopping;

    private int _count;

    /// <summary>A loop for at most <paramref name="capacity"/> connections.</summary>
    public ReceiveLoop(int capacity, int bufferBytes)
    {
        _connections = new IPolledConnection[capacity];
        _buffer = new byte[bufferBytes];
        _thread = new Thread(Run) { IsBackground = true, Name = "bench receive" };
        _thread.Start();
    }

    /// <summary>Starts reading <paramref name="connection"/>'s socket.</summary>
    public void Add(IPolledConnection connection)
    {
        int tag = Interlocked.Increment(ref _count) - 1;
        _connections[tag] = connection;
        Epoll.Watch(_set, connection.Descriptor, (ulong)tag);
    }

    /// <summary>Stops reading, within the loop's wait timeout.</summary>
    public void Stop()
    {
        _stopping = true;
        _thread.Join(TimeSpan.FromSeconds(10));
    }

    public void Dispose()
    {
        Stop();
        foreach (IPolledConnection? connection in _connections)
        {
            connection?.Dispose();
        }
    }

    private void Run()
    {
        byte[] events = new byte[1024 * Epoll.EventSize];
        while (!_stopping)
        {
            int ready = Epoll.Wait(_set, events, 100);
            for (int i = 0; i < ready; i++)
            {
                ulong tag = Epoll.TagOf(events, i);
                IPolledConnection connection = _connections[(int)tag];
                if (!connection.ReadAvailable(_buffer))
                {
                    Epoll.Forget(_set, connection.Descriptor);
                }
            }
        }
    }
}
