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

    /// <summary>Whether the stream ended or broke before the subscriber was stopped.</summary>
    public bool EndedEarly { get; protected set; }

    /// <summary>Scans bytes of the event stream just read.</summary>
    protected void Deliver(ReadOnlySpan<byte> body)
    {
        if (_scanner.Scan(body, Stopwatch.GetTimestamp(), _stats.Value!))
        {
            _completed();
        }
    }
}
