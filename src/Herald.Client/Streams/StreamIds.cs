using System.Buffers;

namespace Herald.Client.Streams;

/// <summary>The hub's rule for stream ids, checked before anything is sent.</summary>
internal static class StreamIds
{
    public const int MaxLength = 128;

    // Unreserved URI characters (RFC 3986), so an id is a path segment as it is, with no escaping.
    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~");

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="streamId"/> is 1 to 128 characters of <c>A-Z a-z 0-9 - _ . ~</c>.</summary>
    public static void Validate(string streamId, string paramName)
    {
        ArgumentNullException.ThrowIfNull(streamId, paramName);
        if (streamId.Length is 0 or > MaxLength)
        {
            throw new ArgumentException($"A stream id is 1 to {MaxLength} characters long; this one has {streamId.Length}.", paramName);
        }

        int bad = streamId.AsSpan().IndexOfAnyExcept(Allowed);
        if (bad >= 0)
        {
            throw new ArgumentException($"A stream id is made of A-Z a-z 0-9 - _ . ~; this one has '{streamId[bad]}' at index {bad}.", paramName);
        }
    }
}
