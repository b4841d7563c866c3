using System.Numerics;

namespace Herald.Server.Bench;

/// <summary>
/// Latencies in microseconds, counted in log-linear buckets: exact below 256 µs, then 128 buckets
/// per power of two (under 0.8% error), up to about 12 days. Recording is one array increment, so a
/// subscriber's receive path pays next to nothing for it; histograms of many threads and processes
/// add up bucket by bucket.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int LinearLimit = 256;
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int MaxExponent = 40 - SubBucketBits;

    /// <summary>How many buckets a histogram has.</summary>
    public const int BucketCount = LinearLimit + (MaxExponent * SubBuckets);

    private readonly long[] _counts = new long[BucketCount];

    /// <summary>How many values were recorded.</summary>
    public long Count { get; private set; }

    /// <summary>The largest value recorded, exactly.</summary>
    public long Max { get; private set; }

    /// <summary>Records one latency.</summary>
    public void Record(long microseconds)
    {
        long value = Math.Max(0, microseconds);
        _counts[IndexOf(value)]++;
        Count++;
        if (value > Max)
        {
            Max = value;
        }
    }

    /// <summary>Adds every count of <paramref name="other"/> to this histogram.</summary>
    public void Add(LatencyHistogram other)
    {
        for (int i = 0; i < BucketCount; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>The value at <paramref name="percentile"/> (0–100), as the upper edge of its bucket.</summary>
    public long Percentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * Count));
        long seen = 0;
        for (int i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperEdge(i), Max);
            }
        }

        return Max;
    }

    /// <summary>The non-empty buckets as (index, count) pairs, for sending between processes.</summary>
    public long[][] ToSparse()
    {
        var pairs = new List<long[]>();
        for (int i = 0; i < BucketCount; i++)
        {
            if (_counts[i] != 0)
            {
                pairs.Add([i, _counts[i]]);
            }
        }

        return [.. pairs];
    }

    /// <summary>A histogram from <see cref="ToSparse"/>'s pairs and the exact maximum.</summary>
    public static LatencyHistogram FromSparse(long[][] pairs, long max)
    {
        var histogram = new LatencyHistogram { Max = max };
        foreach (long[] pair in pairs)
        {
            histogram._counts[(int)pair[0]] += pair[1];
            histogram.Count += pair[1];
        }

        return histogram;
    }

    private static int IndexOf(long value)
    {
        if (value < LinearLimit)
        {
            return (int)value;
        }

        // The highest set bit picks the power of two, the next seven bits the bucket within it.
        int exponent = Math.Min(63 - BitOperations.LeadingZeroCount((ulong)value) - SubBucketBits, MaxExponent);
        long subBucket = Math.Min(value >> exponent, (2 * SubBuckets) - 1) - SubBuckets;
        return LinearLimit + ((exponent - 1) * SubBuckets) + (int)subBucket;
    }

    private static long UpperEdge(int index)
    {
        if (index < LinearLimit)
        {
            return index;
        }

        int exponent = ((index - LinearLimit) / SubBuckets) + 1;
        long subBucket = (index - LinearLimit) % SubBuckets;
        return ((SubBuckets + subBucket + 1) << exponent) - 1;
    }
}
