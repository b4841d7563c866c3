using System.Globalization;

namespace Herald.Client.Streams;

/// <summary>
/// A response body as its framing delimits it: chunked, <c>Content-Length</c>, or the end of the
/// connection. Read-only and asynchronous only, which is all <c>SseParser</c> and the error paths need.
/// </summary>
internal sealed class Http1ResponseBody : ReadOnlyStream
{
    private const int MaxChunkLineLength = 4096;

    private readonly Http1InputBuffer _input;
    private readonly bool _chunked;
    private readonly bool _untilClose;
    private long _remaining;
    private bool _chunkEndPending;
    private bool _done;

    private Http1ResponseBody(Http1InputBuffer input, bool chunked, bool untilClose, long length)
    {
        _input = input;
        _chunked = chunked;
        _untilClose = untilClose;
        _remaining = length;
    }

    public static Http1ResponseBody Chunked(Http1InputBuffer input) => new(input, chunked: true, untilClose: false, 0);

    public static Http1ResponseBody WithLength(Http1InputBuffer input, long length) => new(input, chunked: false, untilClose: false, length);

    public static Http1ResponseBody UntilClose(Http1InputBuffer input) => new(input, chunked: false, untilClose: true, 0);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_done || buffer.IsEmpty)
        {
            return 0;
        }

        if (_untilClose)
        {
            int read = await _input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            _done = read == 0;
            return read;
        }

        if (_remaining == 0 && (!_chunked || !await NextChunkAsync(cancellationToken).ConfigureAwait(false)))
        {
            _done = true;
            return 0;
        }

        int count = await _input.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        if (count == 0)
        {
            throw Ended();
        }

        _remaining -= count;
        _chunkEndPending = _chunked && _remaining == 0;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read the body asynchronously.");


    private static HttpIOException Ended() =>
        new(HttpRequestError.ResponseEnded, "The connection to the hub ended in the middle of its response.");

    /// <summary>Reads the next chunk's size line; false after the last chunk (and its trailers).</summary>
    private async ValueTask<bool> NextChunkAsync(CancellationToken cancellationToken)
    {
        if (_chunkEndPending)
        {
            string? end = await _input.ReadLineAsync(MaxChunkLineLength, cancellationToken).ConfigureAwait(false) ?? throw Ended();
            if (end.Length != 0)
            {
                throw new HttpRequestException(HttpRequestError.InvalidResponse, "The hub's chunked response has data past a chunk's end.");
            }

            _chunkEndPending = false;
        }

        string line = await _input.ReadLineAsync(MaxChunkLineLength, cancellationToken).ConfigureAwait(false) ?? throw Ended();
        int extension = line.IndexOf(';', StringComparison.Ordinal);
        ReadOnlySpan<char> size = (extension < 0 ? line : line[..extension]).AsSpan().Trim();
        if (!long.TryParse(size, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long length) || length < 0)
        {
            throw new HttpRequestException(HttpRequestError.InvalidResponse, $"The hub's chunked response has an invalid chunk size line \"{line}\".");
        }

        if (length > 0)
        {
            _remaining = length;
            return true;
        }

        // The last chunk: trailers, if any, up to an empty line.
        while (await _input.ReadLineAsync(MaxChunkLineLength, cancellationToken).ConfigureAwait(false) is { Length: > 0 })
        {
        }

        return false;
    }
}
