using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Herald.Hub.Tests.Http.Fuzz;

/// <summary>
/// A keep-alive HTTP/1.1 connection that sends requests byte for byte as given (no client library
/// cleans them up first) and reads each answer: status, content type and body, by length or
/// chunked. When the server closes the connection the next request opens a new one. An event
/// stream that opens (a 200 to a GET) is read no further: the connection is closed, as a client
/// that leaves.
/// </summary>
internal sealed class RawHttpConnection(Uri baseAddress) : IDisposable
{
    private Socket? _socket;
    private NetworkStream? _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public async Task<HubAnswer> SendAsync(HostileRequest request, CancellationToken cancellationToken)
    {
        if (_stream is null)
        {
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await _socket.ConnectAsync(baseAddress.Host, baseAddress.Port, cancellationToken);
            _stream = new NetworkStream(_socket, ownsSocket: true);
            (_start, _end) = (0, 0);
        }

        NetworkStream stream = _stream;
        byte[] bytes = Serialize(request);

        // Written alongside the read: the hub may answer (413, 401) before it reads the body, and
        // the answer must be read even if the rest of the body is then refused.
        Task writing = WriteIgnoringRefusalAsync(stream, bytes, cancellationToken);
        try
        {
            return await ReadAnswerAsync(request, cancellationToken);
        }
        finally
        {
            await writing;
        }
    }

    private static async Task WriteIgnoringRefusalAsync(NetworkStream stream, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            await stream.WriteAsync(bytes, cancellationToken);
        }
        catch (IOException)
        {
            // The server answered and closed before taking the whole body.
        }
    }

    private async Task<HubAnswer> ReadAnswerAsync(HostileRequest request, CancellationToken cancellationToken)
    {
        string head = await ReadHeadAsync(cancellationToken);
        string[] lines = head.Split("\r\n");
        int status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        string? Header(string name) => lines.Skip(1)
            .Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            .Select(l => l[(name.Length + 1)..].Trim()).FirstOrDefault();

        string? contentType = Header("Content-Type");
        bool closes = string.Equals(Header("Connection"), "close", StringComparison.OrdinalIgnoreCase);
        if (status == 200 && request.Method == "GET")
        {
            Close();
            return new HubAnswer(status, contentType, string.Empty, ClosedByServer: false);
        }

        var body = new MemoryStream();
        if (Header("Content-Length") is { } length)
        {
            await ReadExactlyAsync(body, int.Parse(length, CultureInfo.InvariantCulture), cancellationToken);
        }
        else if (string.Equals(Header("Transfer-Encoding"), "chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (true)
            {
                int size = int.Parse(await ReadLineAsync(cancellationToken), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                await ReadExactlyAsync(body, size, cancellationToken);
                await ReadLineAsync(cancellationToken);
                if (size == 0)
                {
                    break;
                }
            }
        }

        if (closes)
        {
            Close();
        }

        return new HubAnswer(status, contentType, Encoding.UTF8.GetString(body.ToArray()), closes);
    }

    private async Task<string> ReadHeadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                string head = Encoding.Latin1.GetString(_buffer, _start, end);
                _start += end + 4;
                return head;
            }

            await FillAsync(cancellationToken);
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
            if (end >= 0)
            {
                string line = Encoding.Latin1.GetString(_buffer, _start, end);
                _start += end + 2;
                return line;
            }

            await FillAsync(cancellationToken);
        }
    }

    private async Task ReadExactlyAsync(MemoryStream into, int count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_start == _end)
            {
                await FillAsync(cancellationToken);
            }

            int take = Math.Min(count, _end - _start);
            into.Write(_buffer, _start, take);
            _start += take;
            count -= take;
        }
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            (_start, _end) = (0, _end - _start);
        }

        int read = await _stream!.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        if (read == 0)
        {
            throw new IOException("The server closed the connection without a complete answer.");
        }

        _end += read;
    }

    /// <summary>The request as bytes: the query and header values as UTF-8 exactly as generated,
    /// except that CR and LF in a header become spaces (in the query, escapes) (otherwise one request could read as two,
    /// and answers would no longer pair with requests); the body by length or as one chunk.</summary>
    private byte[] Serialize(HostileRequest request)
    {
        // Spaces, CR and LF would end the request line itself: they are escaped, nothing else.
        string query = request.Query.Replace(" ", "%20", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);
        var head = new StringBuilder($"{request.Method} {InProcessHub.HubPath}?{query} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\n");
        foreach ((string name, string value) in request.Headers)
        {
            head.Append(name).Append(": ").Append(value.Replace('\r', ' ').Replace('\n', ' ')).Append("\r\n");
        }

        bool chunked = request.Method == "POST" && !request.DeclaresLength;
        head.Append(chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "\r\n");
        var bytes = new MemoryStream();
        bytes.Write(Encoding.UTF8.GetBytes(head.ToString()));
        if (chunked)
        {
            if (request.Body.Length > 0)
            {
                bytes.Write(Encoding.ASCII.GetBytes($"{request.Body.Length:x}\r\n"));
                bytes.Write(request.Body);
                bytes.Write("\r\n"u8);
            }

            bytes.Write("0\r\n\r\n"u8);
        }
        else
        {
            bytes.Write(request.Body);
        }

        return bytes.ToArray();
    }

    private void Close()
    {
        _stream?.Dispose();
        _stream = null;
        _socket = null;
    }

    public void Dispose() => Close();
}
