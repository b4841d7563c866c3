namespace Herald.Hub.Diagnostics;

/// <summary>
/// How many lines of one kind may be logged per window: the first <see cref="PerWindow"/> of a
/// window go out, the rest are only counted, and the count is reported once the window is over.
/// So a reconnect storm (thousands of connections a second) costs a few lines a second, not one
/// per connection, and nothing is hidden without saying how much.
/// </summary>
internal sealed class LogBudget(TimeProvider time, int perWindow, TimeSpan window)
{
    private readonly Lock _gate = new();
    private long _windowEnd;
    private int _used;
    private long _suppressed;

    /// <summary>Lines allowed per window.</summary>
    public int PerWindow { get; } = perWindow;

    /// <summary>The window's length.</summary>
    public TimeSpan Window { get; } = window;

    /// <summary>Whether a line may go out now; <paramref name="suppressedBefore"/> is how many were
    /// held back in the window that just ended (to report first), or 0.</summary>
    public bool TryTake(out long suppressedBefore)
    {
        long now = time.GetTimestamp();
        lock (_gate)
        {
            suppressedBefore = Roll(now);
            if (_used < PerWindow)
            {
                _used++;
                return true;
            }

            _suppressed++;
            return false;
        }
    }

    /// <summary>How many lines were held back in a window that has ended and not been reported yet
    /// (so a storm that stops is still reported): 0 when there is nothing to report.</summary>
    public long TakeSuppressed()
    {
        long now = time.GetTimestamp();
        lock (_gate)
        {
            return Roll(now);
        }
    }

    /// <summary>Starts a new window when the current one is over; returns its held-back count.</summary>
    private long Roll(long now)
    {
        if (now < _windowEnd)
        {
            return 0;
        }

        long suppressed = _suppressed;
        _suppressed = 0;
        _used = 0;
        _windowEnd = now + (long)(Window.TotalSeconds * time.TimestampFrequency);
        return suppressed;
    }
}
