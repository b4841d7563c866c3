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

    /// <summary>
    /// Reads back the sequence and commit time of an id <see cref="Create"/> made. Any other
    /// string (a publisher's own id, a UUID of another version) gives false; a publisher may still
    /// have chosen an id of this shape, so a log checks what it holds at that sequence.
    /// </summary>
    /// <param name="id">The id.</param>
    /// <param name="sequence">The log sequence it carries.</param>
    /// <param name="unixMilliseconds">The commit time it carries.</param>
    /// <returns>Whether <paramref name="id"/> has the shape of a generated id.</returns>
    public static bool TryParse(string id, out long sequence, out long unixMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(id);
        sequence = 0;
        unixMilliseconds = 0;
        Span<byte> bytes = stackalloc byte[16];
        if (!id.StartsWith(Prefix, StringComparison.Ordinal)
            || id.Length != Prefix.Length + 36
            || !Guid.TryParseExact(id.AsSpan(Prefix.Length), "D", out Guid guid)
            || !guid.TryWriteBytes(bytes, bigEndian: true, out _)
            || id.AsSpan(Prefix.Length).ContainsAnyInRange('A', 'F'))
        {
            return false;
        }

        ulong high = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        ulong low = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        if ((high & 0xFFFFUL) != 0x7000UL || (low & 0xC000_0000_0000_0000UL) != 0x8000_0000_0000_0000UL)
        {
            return false;
        }

        sequence = (long)(low & 0x3FFF_FFFF_FFFF_FFFFUL);
        unixMilliseconds = (long)(high >> 16);
        return sequence > 0;
    }
}
