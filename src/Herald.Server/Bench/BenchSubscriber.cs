using System.Diagnostics;

namespace Herald.Server.Bench;

/// <summary>
/// One subscriber of a benchmark run: what it has received so far, scanned from its stream by
/// its <see cref="EventDataScanner"/>. The transports differ only in how the bytes arrive.
/// </summary>
internal abstract class BenchSubscriber
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

    /// <summary>
    /// Whether the stream ended or broke before every event had come. A stream that ends after
    /// its last event (a token stream read at its own URL ends with the stream) is not cut short.
    /// </summary>
    public bool EndedEarly { get; private set; }

    /// <summary>Notes that the server ended (or broke) the stream.</summary>
    protected void Ended() => EndedEarly = !Tracker.IsComplete;

    /// <summary>Scans bytes of the event stream just read.</summary>
    protected void Deliver(ReadOnlySpan<byte> body)
    {
        if (_scanner.Scan(body, Stopwatch.GetTimestamp(), _stats.Value!))
        {
            _completed();
        }
    }
}
