using System.Buffers.Text;

namespace Herald.Server.Bench;

/// <summary>
/// Reads just enough of a <c>text/event-stream</c> to time the benchmark's events: it finds the
/// <c>data:</c> lines and reads the two numbers at their start, the sequence number and the
/// publish timestamp (<c>data: 17 123456789 xxxx</c>). Everything else (comments, <c>id:</c>,
/// <c>event:</c>, the padding) is skipped without being copied, so the load generator's own cost
/// per delivery stays far below the server's.
/// </summary>
/// <remarks>
/// Every <c>data:</c> line is one delivery, so an event that carries several (Herald's token
/// streams merge consecutive tokens for a reader that fell behind, and the bench's tokens each end
/// with a line feed) counts each of them. An empty <c>data:</c> line (what a data's final line
/// feed leaves) is no delivery, and neither is the data of a stream's lifecycle events
/// (<c>event: herald-stream</c>, which Herald writes before the data).
/// </remarks>
internal sealed class EventDataScanner
{
    // "data: " plus two 19-digit numbers and their separators fit; the rest of a line is padding.
    private const int PrefixCapacity = 48;

    private readonly byte[] _line = new byte[PrefixCapacity];
    private readonly DeliveryTracker _tracker;
    private int _lineLength;

    // The last line ended with CR: an LF right after it is part of the same line end.
    private bool _afterCarriageReturn;

    // The current event is a stream's lifecycle event, whose data is the hub's, not the bench's.
    private bool _inLifecycleEvent;

    public EventDataScanner(DeliveryTracker tracker) => _tracker = tracker;

    /// <summary>Scans the next bytes of the stream received at <paramref name="received"/>; true when they completed the subscriber's sequence.</summary>
    public bool Scan(ReadOnlySpan<byte> bytes, long received, ReceiveStats stats)
    {
        bool completed = false;
        while (!bytes.IsEmpty)
        {
            if (_afterCarriageReturn)
            {
                _afterCarriageReturn = false;
                if (bytes[0] == (byte)'\n')
                {
                    bytes = bytes[1..];
                    continue;
                }
            }

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

            _afterCarriageReturn = bytes[end] == (byte)'\r';
            completed |= EndLine(received, stats);
            bytes = bytes[(end + 1)..];
        }

        return completed;
    }

    private bool EndLine(long received, ReceiveStats stats)
    {
        ReadOnlySpan<byte> line = _line.AsSpan(0, _lineLength);
        _lineLength = 0;
        if (line.IsEmpty)
        {
            _inLifecycleEvent = false;
            return false;
        }

        if (line.StartsWith("event:"u8))
        {
            _inLifecycleEvent = Value(line[6..]).SequenceEqual("herald-stream"u8);
            return false;
        }

        if (!line.StartsWith("data:"u8) || _inLifecycleEvent)
        {
            return false;
        }

        line = Value(line[5..]);
        if (line.IsEmpty)
        {
            return false;
        }

        if (!Utf8Parser.TryParse(line, out long sequence, out int sequenceLength) || sequenceLength >= line.Length || line[sequenceLength] != (byte)' ' ||
            !Utf8Parser.TryParse(line[(sequenceLength + 1)..], out long published, out _))
        {
            return _tracker.Record(-1);
        }

        stats.Record(published, received);
        return _tracker.Record(sequence);
    }

    /// <summary>A field's value: what follows the colon, less one leading space.</summary>
    private static ReadOnlySpan<byte> Value(ReadOnlySpan<byte> afterColon) =>
        !afterColon.IsEmpty && afterColon[0] == (byte)' ' ? afterColon[1..] : afterColon;
}
