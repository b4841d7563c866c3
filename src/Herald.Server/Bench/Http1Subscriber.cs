using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Herald.Server.Bench;

/// <summary>
/// A subscriber on its own HTTP/1.1 socket, spoken by hand: one request written, the response
/// head checked for its status and framing, then the body read straight off the socket (through
/// a <see cref="ChunkedBodyDecoder"/> when it is chunked). No HTTP stack sits between the server
/// and the scanner, so what is measured is the server.
/// </summary>
internal sealed class Http1Subscriber : BenchSubscriber
{
    private readonly IPEndPoint _server;
    private readonly IPAddress? _source;
    private readonly byte[] _request;
    private readonly byte[] _buffer;
    private Socket? _socket;
    private ChunkedBodyDecoder? _chunked;
    private int _pendingStart;
    private int _pendingLength;

    public Http1Subscriber(Uri url, IPEndPoint server, IPAddress? source, string? token, int bufferBytes, int expectedEvents, ThreadLocal<ReceiveStats> stats, Action completed)
        : base(expectedEvents, stats, completed)
    {
        _server = server;
        _source = source;
        _buffer = new byte[bufferBytes];
        string authorization = token is null ? string.Empty : $"Authorization: Bearer {token}\r\n";
        _request = Encoding.ASCII.GetBytes($"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n{authorization}\r\n");
    }

    public override async Task<string?> ConnectAsync(CancellationToken cancellationToken)
    {
        _socket = new Socket(_server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (_source is not null)
            {
                _socket.Bind(new IPEndPoint(_source, 0));
            }

            await _socket.ConnectAsync(_server, cancellationToken).ConfigureAwait(false);
            await _socket.SendAsync(_request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            int received = 0;
            while (true)
            {
                if (received == _buffer.Length)
                {
                    return "response head too long";
                }

                int read = await _socket.ReceiveAsync(_buffer.AsMemory(received), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return "closed before the response head";
                }

                received += read;
                int headEnd = _buffer.AsSpan(0, received).IndexOf("\r\n\r\n"u8);
                if (headEnd >= 0)
                {
                    string? refusal = ReadHead(_buffer.AsSpan(0, headEnd + 2));
                    _pendingStart = headEnd + 4;
                    _pendingLength = received - _pendingStart;
                    return refusal;
                }
            }
        }
        catch (SocketException exception)
        {
            return exception.SocketErrorCode.ToString();
        }
    }

    protected override async Task ReadAllAsync(CancellationToken cancellationToken)
    {
        Socket socket = _socket!;
        if (_pendingLength > 0)
        {
            Body(_buffer.AsSpan(_pendingStart, _pendingLength));
        }

        while (_chunked is not { Ended: true })
        {
            int read = await socket.ReceiveAsync(_buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            Body(_buffer.AsSpan(0, read));
        }
    }

    public override void Dispose() => _socket?.Dispose();

    private void Body(ReadOnlySpan<byte> bytes)
    {
        if (_chunked is null)
        {
            Deliver(bytes);
            return;
        }

        while (_chunked.TryRead(ref bytes, out ReadOnlySpan<byte> payload))
        {
            Deliver(payload);
        }
    }

    /// <summary>Checks the status line and notes the framing; the refusal, or null for a 200.</summary>
    private string? ReadHead(ReadOnlySpan<byte> head)
    {
        // "HTTP/1.1 200 OK"
        if (head.Length < 12 || !head.StartsWith("HTTP/1."u8) || !Utf8Parser.TryParse(head[9..12], out int status, out _))
        {
            return "not an HTTP/1.x response";
        }

        if (status != 200)
        {
            return $"HTTP {status}";
        }

        string headers = Encoding.ASCII.GetString(head);
        if (headers.Contains("\r\ntransfer-encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            _chunked = new ChunkedBodyDecoder();
        }

        return null;
    }
}
