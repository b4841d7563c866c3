using System.Buffers.Binary;

namespace Herald.Hub.History;

/// <summary>
/// The ids the hub generates: <c>urn:uuid:</c> and a version 7 UUID whose 48-bit timestamp is the
/// update's commit time in Unix milliseconds and whose 74 bits that version 7 leaves to the
/// implementation hold the update's log sequence instead of random bits. A log keeps both
/// non-decreasing across restarts, so the ids are unique, sort as strings in log order, and
/// still read as ordinary UUIDs to any client.
/// </summary>
public static class HubIds
{
    /// <summary>The prefix of every generated id.</summary>
    public const string Prefix = "urn:uuid:";

    /// <summary>Makes the id of the update at <paramref name="sequence"/>, committed at
    /// <paramref name="unixMilliseconds"/>.</summary>
    /// <param name="sequence">The log sequence, positive and below 2^62.</param>
    /// <param name="unixMilliseconds">The commit time, below 2^48.</param>
    /// <returns>The id.</returns>
    public static string Create(long sequence, long unixMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequence);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(sequence, 1L << 62);
        ArgumentOutOfRangeException.ThrowIfNegative(unixMilliseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(unixMilliseconds, 1L << 48);

        // Layout (RFC 9562): unix_ts_ms (48) | ver (4) = 7 | rand_a (12) | var (2) = 0b10 | rand_b (62).
        // rand_a takes the sequence's bits 62..73 (always zero below 2^62) and rand_b its low 62,
        // so the big-endian bytes, and hence the hex string, order by time then sequence.
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, ((ulong)unixMilliseconds << 16) | 0x7000UL);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], 0x8000_0000_0000_0000UL | (ulong)sequence);
        return Prefix + new Guid(bytes, bigEndian: true).ToString("D");
    }
}
