namespace Herald.Server.Bench;

/// <summary>
/// The thread that reads every HTTP/1.1 subscriber socket of a worker: it waits on one epoll set
/// and reads each ready socket once into a buffer it reuses, so a subscriber costs no buffer, no
/// task and no thread of its own while it waits.
/// </summary>
internal sealed class Http1ReceiveLoop : IDisposable
{
    private readonly int _set = Epoll.Create();
    private readonly Http1Subscriber[] _subscribers;
    private readonly byte[] _buffer;
    private readonly Thread _thread;
    private volatile bool _stopping;

    public Http1ReceiveLoop(Http1Subscriber[] subscribers, int bufferBytes)
    {
        _subscribers = subscribers;
        _buffer = new byte[bufferBytes];
        _thread = new Thread(Run) { IsBackground = true, Name = "bench receive" };
        _thread.Start();
    }

    /// <summary>Starts reading the socket of subscriber <paramref name="index"/>, once it is connected.</summary>
    public void Add(int index) => Epoll.Watch(_set, _subscribers[index].Descriptor, (ulong)index);

    /// <summary>Stops reading, within the loop's wait timeout.</summary>
    public void Stop()
    {
        _stopping = true;
        _thread.Join(TimeSpan.FromSeconds(10));
    }

    public void Dispose()
    {
        Stop();
        foreach (Http1Subscriber subscriber in _subscribers)
        {
            subscriber.Dispose();
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
                (_, ulong tag) = Epoll.Entry(events, i);
                Http1Subscriber subscriber = _subscribers[(int)tag];
                if (!subscriber.ReadAvailable(_buffer))
                {
                    Epoll.Forget(_set, subscriber.Descriptor);
                }
            }
        }
    }
}
