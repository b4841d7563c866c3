using System.Buffers;
using System.Globalization;
using System.Text.Unicode;

namespace Herald.Sse;

/// <summary>
/// Encodes events and comments as <c>text/event-stream</c> UTF-8 frames, straight into an
/// <see cref="IBufferWriter{T}"/> with no intermediate strings, so that a hub encodes an update
/// once and writes the same bytes to every subscriber.
/// </summary>
/// <remarks>
/// Every field is written with a space after its colon: the parser strips exactly one, so data
/// that itself starts with a space comes through intact.
/// </remarks>
public static class SseEncoder
{
    /// <summary>Texts are transcoded in slices of at most this many chars, so a huge event never
    /// asks the writer for one huge span.</summary>
    private const int TranscodeSliceChars = 16 * 1024;

    /// <summary>Writes one event frame, ending with the blank line that dispatches it.</summary>
    /// <param name="destination">Where the frame's bytes go.</param>
    /// <param name="data">The event data; CR, LF and CRLF in it split it into <c>data:</c> lines,
    /// each of which a parser turns back into an LF. Empty data is sent as one empty line.</param>
    /// <param name="type">The event type; <see langword="null"/> or empty writes no <c>event:</c>
    /// line (the client sees <c>message</c>).</param>
    /// <param name="id">The event id; <see langword="null"/> writes no <c>id:</c> line, and an empty
    /// string writes one that resets the client's last event ID.</param>
    /// <param name="retry">The reconnection time in milliseconds to send, if any.</param>
    /// <exception cref="ArgumentException"><paramref name="type"/> or <paramref name="id"/>
    /// contains CR, LF or NUL, which would break the frame or make clients ignore the id.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retry"/> is negative.</exception>
    public static void WriteEvent(IBufferWriter<byte> destination, ReadOnlySpan<char> data, string? type = null, string? id = null, long? retry = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ValidateField(type, nameof(type));
        ValidateField(id, nameof(id));
        if (retry is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(retry), retry, "The retry time must not be negative.");
        }

        if (!string.IsNullOrEmpty(type))
        {
            WriteLine(destination, "event: "u8, type);
        }

        if (id is not null)
        {
            WriteLine(destination, "id: "u8, id);
        }

        if (retry is { } milliseconds)
        {
            WriteAscii(destination, "retry: "u8);
            Span<byte> digits = destination.GetSpan(20);
            milliseconds.TryFormat(digits, out int written, provider: CultureInfo.InvariantCulture);
            destination.Advance(written);
            WriteAscii(destination, "\n"u8);
        }

        WriteLines(destination, "data: "u8, data);
        WriteAscii(destination, "\n"u8);
    }

    /// <summary>
    /// Writes a comment, such as a heartbeat. A comment with CR or LF in it is written as several
    /// comment lines, so it can never inject a field.
    /// </summary>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="text">The text after the colon; empty writes a bare <c>:</c> line.</param>
    public static void WriteComment(IBufferWriter<byte> destination, ReadOnlySpan<char> text)
    {
        ArgumentNullException.ThrowIfNull(destination);
        WriteLines(destination, ":"u8, text);
    }

    /// <summary>
    /// Checks a value meant for the <c>event</c> or <c>id</c> field: CR or LF would end the line
    /// early and let the rest inject fields, and clients ignore an id containing NUL.
    /// </summary>
    /// <param name="value">The value to check; <see langword="null"/> is valid.</param>
    /// <param name="fieldName">The field's name, used in the message (for example <c>id</c>).</param>
    /// <returns><see langword="null"/> when the value can be sent; otherwise a message that names
    /// the field, the character and where it is.</returns>
    public static string? DescribeInvalidField(string? value, string fieldName)
    {
        int bad = value is null ? -1 : value.AsSpan().IndexOfAny('\r', '\n', '\0');
        if (bad < 0)
        {
            return null;
        }

        string what = value![bad] switch { '\r' => "CR", '\n' => "LF", _ => "NUL" };
        return $"The event {fieldName} must not contain CR, LF or NUL; it contains {what} at index {bad}.";
    }

    private static void ValidateField(string? value, string paramName)
    {
        if (DescribeInvalidField(value, paramName) is { } message)
        {
            throw new ArgumentException(message, paramName);
        }
    }

    /// <summary>Writes <paramref name="prefix"/> and each line of <paramref name="text"/> (split on CR, LF, CRLF), each ended by LF.</summary>
    private static void WriteLines(IBufferWriter<byte> destination, ReadOnlySpan<byte> prefix, ReadOnlySpan<char> text)
    {
        while (true)
        {
            int end = text.IndexOfAny('\r', '\n');
            if (end < 0)
            {
                WriteLine(destination, prefix, text);
                return;
            }

            WriteLine(destination, prefix, text[..end]);
            int next = end + (text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? 2 : 1);
            text = text[next..];
        }
    }

    private static void WriteLine(IBufferWriter<byte> destination, ReadOnlySpan<byte> prefix, ReadOnlySpan<char> text)
    {
        if (text.Length <= TranscodeSliceChars)
        {
            // The usual line: one span for prefix, text and LF, so one GetSpan and one Advance.
            Span<byte> span = destination.GetSpan(prefix.Length + (text.Length * 3) + 1);
            prefix.CopyTo(span);
            Utf8.FromUtf16(text, span[prefix.Length..], out _, out int written, replaceInvalidSequences: true, isFinalBlock: true);
            int length = prefix.Length + written;
            span[length] = (byte)'\n';
            destination.Advance(length + 1);
            return;
        }

        WriteAscii(destination, prefix);
        WriteUtf8(destination, text);
        WriteAscii(destination, "\n"u8);
    }

    private static void WriteAscii(IBufferWriter<byte> destination, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination.GetSpan(bytes.Length));
        destination.Advance(bytes.Length);
    }

    /// <summary>Transcodes to UTF-8 in bounded slices; a lone surrogate becomes U+FFFD.</summary>
    private static void WriteUtf8(IBufferWriter<byte> destination, ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            // Three bytes per char covers every BMP char; a surrogate pair needs four bytes for two
            // chars, so the slice never has to be split inside one.
            int sizeHint = Math.Min(text.Length, TranscodeSliceChars) * 3;
            Span<byte> span = destination.GetSpan(Math.Max(sizeHint, 4));
            Utf8.FromUtf16(text, span, out int read, out int written, replaceInvalidSequences: true, isFinalBlock: true);
            destination.Advance(written);
            text = text[read..];
        }
    }
}
