namespace Herald.Client;

/// <summary>
/// The delay before each reconnection. The first one after a healthy connection is exactly the
/// reconnection time, as a browser waits and as the server's <c>retry:</c> asked. Each failure in
/// a row after that doubles it, up to the cap, and draws the delay at random from the upper half
/// ("equal jitter"): clients cut off together then spread out instead of returning as one herd,
/// and a delay never falls below the one before it while the doubling runs.
/// </summary>
internal sealed class ReconnectBackoff(TimeSpan maxDelay, Random random)
{
    /// <summary>Past this many doublings the cap has long been reached; stops the shift from overflowing.</summary>
    private const int MaxDoublings = 30;

    /// <summary>Failures in a row, the one being counted included.</summary>
    public int Failures { get; private set; }

    /// <summary>Forgets the failures: the connection that just ended was healthy.</summary>
    public void Reset() => Failures = 0;

    /// <summary>Counts a failure and returns how long to wait before the next attempt.</summary>
    /// <param name="reconnectionTime">The current reconnection time: the base of the doubling.</param>
    public TimeSpan Next(TimeSpan reconnectionTime)
    {
        Failures++;
        if (Failures == 1)
        {
            return reconnectionTime;
        }

        // The cap never cuts below the reconnection time the server asked for.
        double cap = Math.Max(maxDelay.Ticks, reconnectionTime.Ticks);
        double full = Math.Min(cap, reconnectionTime.Ticks * (double)(1L << Math.Min(Failures - 1, MaxDoublings)));
        return TimeSpan.FromTicks((long)(full * (0.5 + (random.NextDouble() * 0.5))));
    }
}
