namespace Herald.Server.Bench;

/// <summary>
/// What one subscriber received of its topic's sequence 0..N-1: each number once (a bit per
/// number), twice (a duplicate), or after a higher one (reordered). What never came is the loss.
/// </summary>
internal sealed class DeliveryTracker
{
    private readonly ulong[] _seen;
    private long _highest = -1;

    public DeliveryTracker(int expected)
    {
        Expected = expected;
        _seen = new ulong[(expected + 63) / 64];
    }

    /// <summary>How many distinct sequence numbers the subscriber should receive.</summary>
    public int Expected { get; }

    /// <summary>How many distinct sequence numbers arrived.</summary>
    public int Distinct { get; private set; }

    /// <summary>How many arrived again after their first time.</summary>
    public int Duplicates { get; private set; }

    /// <summary>How many arrived after a higher number had.</summary>
    public int Reordered { get; private set; }

    /// <summary>How many data lines were not a sequence number of this run.</summary>
    public int Unexpected { get; private set; }

    /// <summary>Whether every sequence number arrived.</summary>
    public bool IsComplete => Distinct == Expected;

    /// <summary>Counts one arrival; true when it was the last one missing.</summary>
    public bool Record(long sequence)
    {
        if ((ulong)sequence >= (ulong)Expected)
        {
            Unexpected++;
            return false;
        }

        ref ulong word = ref _seen[sequence >> 6];
        ulong bit = 1UL << (int)(sequence & 63);
        if ((word & bit) != 0)
        {
            Duplicates++;
            return false;
        }

        word |= bit;
        if (sequence < _highest)
        {
            Reordered++;
        }
        else
        {
            _highest = sequence;
        }

        return ++Distinct == Expected;
    }
}
