using System.Diagnostics;

namespace Herald.Server.Bench;

/// <summary>
/// One receiving thread's tally: the latency of every delivery and when the last one arrived.
/// Kept per thread so the receive path never contends on a shared counter.
/// </summary>
internal sealed class ReceiveStats
{
    /// <summary>Publish-to-receive latencies.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>The <see cref="Stopwatch"/> timestamp of the last delivery; 0 before the first.</summary>
    public long LastReceived { get; private set; }

    /// <summary>Records a delivery published at <paramref name="published"/> and received at <paramref name="received"/> (both <see cref="Stopwatch"/> timestamps).</summary>
    public void Record(long published, long received)
    {
        Latency.Record((received - published) * 1_000_000 / Stopwatch.Frequency);
        LastReceived = Math.Max(LastReceived, received);
    }
}
