namespace Herald.Server.Doctor;

/// <summary>
/// How far the probe events' arrivals drift from their send times. Each event's offset is its
/// arrival minus its send time, on two clocks that need not agree; the smallest offset is the
/// path's own latency, so an event's delay is its offset above that. A path that delivers as sent
/// delays nothing; a buffering one holds events until a buffer fills or the stream ends, and
/// releases them in clumps.
/// </summary>
internal sealed class ArrivalSkew
{
    /// <summary>The delay from which an event counts as held: the paced events are 250 ms apart,
    /// so a held one is late by at least that, while a healthy path's jitter stays well below.</summary>
    public static readonly double HeldThresholdMs = 250;

    /// <summary>How far apart on the hub's clock a release and the send that caused it may be:
    /// the path's own jitter.</summary>
    private const double ReleaseTolerance = 50;

    private ArrivalSkew(double maxDelayMs, int held, ProbeArrival? releasedBy)
    {
        MaxDelayMs = maxDelayMs;
        Held = held;
        ReleasedBy = releasedBy;
    }

    /// <summary>The largest delay of any event, in milliseconds.</summary>
    public double MaxDelayMs { get; }

    /// <summary>How many events arrived at least <see cref="HeldThresholdMs"/> late.</summary>
    public int Held { get; }

    /// <summary>The last event the hub had sent when the first held event came out: what pushed
    /// the held events out (a padding event tells the buffer's size; the final event, that only
    /// the stream's end did). None when nothing was held.</summary>
    public ProbeArrival? ReleasedBy { get; }

    /// <summary>Two or more late events: one alone may be a hiccup of the network or the machine.</summary>
    public bool Buffered => Held >= 2;

    public static ArrivalSkew Of(IReadOnlyList<ProbeArrival> arrivals)
    {
        if (arrivals.Count == 0)
        {
            return new ArrivalSkew(0, 0, null);
        }

        double latency = arrivals.Min(arrival => arrival.Offset);
        double maxDelay = arrivals.Max(arrival => arrival.Offset - latency);
        int held = arrivals.Count(arrival => arrival.Offset - latency >= HeldThresholdMs);
        ProbeArrival? releasedBy = null;
        if (arrivals.FirstOrDefault(arrival => arrival.Offset - latency >= HeldThresholdMs) is { Phase: not null } firstHeld)
        {
            // When the held events came out, on the hub's clock; the last event the hub had sent
            // by then is what pushed them out (whether or not it came out with them).
            double releasedAt = firstHeld.ArrivedAt - latency + ReleaseTolerance;
            releasedBy = arrivals.LastOrDefault(arrival => arrival.SentAt <= releasedAt);
        }

        return new ArrivalSkew(maxDelay, held, releasedBy);
    }
}
