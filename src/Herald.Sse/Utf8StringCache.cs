using System.Text;

namespace Herald.Sse;

/// <summary>
/// Remembers the last string decoded from UTF-8 bytes and returns it again for equal bytes:
/// event types and ids repeat from event to event, so most events then allocate only their data.
/// </summary>
internal struct Utf8StringCache
{
    private const int MaxCachedLength = 256;

    private byte[]? _bytes;
    private int _length;
    private string? _value;

    public string GetString(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        if (_value is not null && utf8.SequenceEqual(_bytes.AsSpan(0, _length)))
        {
            return _value;
        }

        string value = Encoding.UTF8.GetString(utf8);
        if (utf8.Length <= MaxCachedLength)
        {
            _bytes ??= new byte[MaxCachedLength];
            utf8.CopyTo(_bytes);
            _length = utf8.Length;
            _value = value;
        }

        return value;
    }
}
