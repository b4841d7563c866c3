namespace Herald.Server.Doctor;

/// <summary>One probe event as the doctor received it: what the hub stamped on it and when it
/// arrived, both in milliseconds, each on its own clock.</summary>
/// <param name="Sequence">Its place in the script (0, 1, ...).</param>
/// <param name="Phase">The script's phase it belongs to.</param>
/// <param name="SentAt">The hub's time since the script began when it wrote the event.</param>
/// <param name="ArrivedAt">The doctor's time since the response headers arrived when it parsed the event.</param>
/// <param name="Padding">The size of the padding comment written just before it, if any.</param>
internal readonly record struct ProbeArrival(int Sequence, string Phase, double SentAt, double ArrivedAt, int? Padding)
{
    /// <summary>How much later than sent it arrived, on two unrelated clocks: only differences
    /// between events mean anything.</summary>
    public double Offset => ArrivedAt - SentAt;
}
