using System.Text;

namespace Herald.Sse;

/// <summary>
/// Remembers the last string decoded from UTF-8 bytes and returns it again for equal bytes:
/// event types repeat from event to event, and so does an id while it is not changed, so most
/// events then allocate only their data.
/// </summary>
/// <remarks>
/// The bytes are compared with the remembered string itself, as ASCII, so that a miss (an id
/// that changes on every event) costs a comparison and no copy. Non-ASCII text is decoded every
/// time: it never compares equal.
/// </remarks>
internal struct Utf8StringCache
{
    private string? _value;

    public string GetString(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        // Ids that change from event to event (counters, sequence numbers) mostly differ in their
        // length or last character: look there before comparing the whole.
        string? last = _value;
        if (last is not null && last.Length == utf8.Length && last[^1] == utf8[^1] && Ascii.Equals(utf8, last))
        {
            return last;
        }

        return _value = Encoding.UTF8.GetString(utf8);
    }
}
