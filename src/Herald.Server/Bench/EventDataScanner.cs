using System.Buffers.Text;

namespace Herald.Server.Bench;

/// <summary>
/// Reads just enough of a <c>text/event-stream</c> to time the benchmark's events: it finds the
/// <c>data:</c> lines and reads the two numbers at their start, the sequence number and the
/// publish timestamp (<c>data: 17 123456789 xxxx</c>). Everything else (comments, <c>id:</c>,
/// <c>event:</c>, the padding) is skipped without being copied, so the load generator's own cost
/// per delivery stays far below the server's.
/// </summary>
internal sealed class EventDataScanner
{
    // "data: " plus two 19-digit numbers and their separators fit; the rest of a line is padding.
    private const int PrefixCapacity = 48;

    private readonly byte[] _line = new byte[PrefixCapacity];
    private readonly DeliveryTracker _tracker;
    private int _lineLength;

    public EventDataScanner(DeliveryTracker tracker) => _tracker = tracker;

    /// <summary>Scans the next bytes of the stream received at <paramref name="received"/>; true when they completed the subscriber's sequence.</summary>
    public bool Scan(ReadOnlySpan<byte> bytes, long received, ReceiveStats stats)
    {
        bool completed = false;
        while (!bytes.IsEmpty)
        {
            int end = bytes.IndexOfAny((byte)'\n', (byte)'\r');
            ReadOnlySpan<byte> part = end < 0 ? bytes : bytes[..end];
            int room = PrefixCapacity - _lineLength;
            if (room > 0)
            {
                ReadOnlySpan<byte> kept = part.Length <= room ? part : part[..room];
                kept.CopyTo(_line.AsSpan(_lineLength));
                _lineLength += kept.Length;
            }

            if (end < 0)
            {
                break;
            }

            completed |= EndLine(received, stats);
            bytes = bytes[(end + 1)..];
        }

        return completed;
    }

    private bool EndLine(long received, ReceiveStats stats)
    {
        ReadOnlySpan<byte> line = _line.AsSpan(0, _lineLength);
        _lineLength = 0;
        if (!line.StartsWith("data:"u8))
        {
            return false;
        }

        line = line[5..];
        if (!line.IsEmpty && line[0] == (byte)' ')
        {
            line = line[1..];
        }

        if (!Utf8Parser.TryParse(line, out long sequence, out int sequenceLength) || sequenceLength >= line.Length || line[sequenceLength] != (byte)' ' ||
            !Utf8Parser.TryParse(line[(sequenceLength + 1)..], out long published, out _))
        {
            return _tracker.Record(-1);
        }

        stats.Record(published, received);
        return _tracker.Record(sequence);
    }
}
