using System.Diagnostics;

namespace Herald.Server.Bench;

/// <summary>
/// One subscriber of a benchmark run: it connects, then reads its stream until told to stop,
/// handing every read to its <see cref="EventDataScanner"/>. The transports differ only in how
/// the bytes arrive.
/// </summary>
internal abstract class BenchSubscriber : IDisposable
{
    private readonly EventDataScanner _scanner;
    private readonly ThreadLocal<ReceiveStats> _stats;
    private readonly Action _completed;

    protected BenchSubscriber(int expectedEvents, ThreadLocal<ReceiveStats> stats, Action completed)
    {
        Tracker = new DeliveryTracker(expectedEvents);
        _scanner = new EventDataScanner(Tracker);
        _stats = stats;
        _completed = completed;
    }

    /// <summary>What arrived.</summary>
    public DeliveryTracker Tracker { get; }

    /// <summary>Whether the stream ended or broke before the subscriber was stopped.</summary>
    public bool EndedEarly { get; private set; }

    /// <summary>Connects and reads the response head; the reason it failed, or null once the stream is open.</summary>
    public abstract Task<string?> ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Reads the stream until it ends or <paramref name="cancellationToken"/> stops it.</summary>
    public async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReadAllAsync(cancellationToken).ConfigureAwait(false);
            EndedEarly = !cancellationToken.IsCancellationRequested;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or System.Net.Http.HttpRequestException or InvalidDataException or ObjectDisposedException)
        {
            EndedEarly = !cancellationToken.IsCancellationRequested;
        }
        finally
        {
            Dispose();
        }
    }

    /// <summary>Reads until the end of the stream, passing each read to <see cref="Deliver"/>.</summary>
    protected abstract Task ReadAllAsync(CancellationToken cancellationToken);

    /// <summary>Closes the connection.</summary>
    public abstract void Dispose();

    /// <summary>Scans bytes of the event stream just read.</summary>
    protected void Deliver(ReadOnlySpan<byte> body)
    {
        if (_scanner.Scan(body, Stopwatch.GetTimestamp(), _stats.Value!))
        {
            _completed();
        }
    }
}
