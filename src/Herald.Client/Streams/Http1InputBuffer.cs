using System.Text;

namespace Herald.Client.Streams;

/// <summary>
/// The read side of an HTTP/1.1 connection: lines for the response head and chunk sizes, and the
/// bytes between them, so that what one read brought past a line is not lost.
/// </summary>
internal sealed class Http1InputBuffer(Stream stream)
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>Reads a line without its CRLF (or LF); <see langword="null"/> at the end of the connection.</summary>
    /// <exception cref="HttpRequestException">The line is longer than <paramref name="maxLength"/>.</exception>
    public async ValueTask<string?> ReadLineAsync(int maxLength, CancellationToken cancellationToken)
    {
        while (true)
        {
            int lf = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (lf >= 0)
            {
                int length = lf > 0 && _buffer[_start + lf - 1] == '\r' ? lf - 1 : lf;
                // Header values are octets; Latin-1 maps each to one char and never fails.
                string line = Encoding.Latin1.GetString(_buffer, _start, length);
                _start += lf + 1;
                return line;
            }

            if (_end - _start >= Math.Min(maxLength, _buffer.Length))
            {
                throw new HttpRequestException(HttpRequestError.InvalidResponse, $"The hub sent a line longer than {maxLength} bytes in its response's framing.");
            }

            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            int read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            _end += read;
        }
    }

    /// <summary>Reads bytes: what is buffered first, then straight from the connection.</summary>
    public ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_end == _start)
        {
            return stream.ReadAsync(destination, cancellationToken);
        }

        int count = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, count).CopyTo(destination.Span);
        _start += count;
        return ValueTask.FromResult(count);
    }
}
