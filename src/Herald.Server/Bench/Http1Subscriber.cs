using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Herald.Server.Bench;

/// <summary>
/// A subscriber on its own HTTP/1.1 socket, spoken by hand: one request written, the response
/// head checked for its status and framing, then the body read by the worker's
/// <see cref="ReceiveLoop"/> (through a <see cref="ChunkedBodyDecoder"/> when it is chunked).
/// The socket never enters the .NET socket engine: connecting polls it, and the loop reads it with
/// <c>recv</c>, so no HTTP stack or second event loop sits between the server and the scanner.
/// </summary>
internal sealed class Http1Subscriber : BenchSubscriber, IPolledConnection
{
    private readonly IPEndPoint _server;
    private readonly IPAddress? _source;
    private readonly byte[] _request;
    private Socket? _socket;
    private ChunkedBodyDecoder? _chunked;

    public Http1Subscriber(Uri url, IPEndPoint server, IPAddress? source, string? token, int expectedEvents, ThreadLocal<ReceiveStats> stats, Action completed)
        : base(expectedEvents, stats, completed)
    {
        _server = server;
        _source = source;
        string authorization = token is null ? string.Empty : $"Authorization: Bearer {token}\r\n";
        _request = Encoding.ASCII.GetBytes($"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n{authorization}\r\n");
    }

    /// <summary>The socket's descriptor, for the receive loop.</summary>
    public int Descriptor => (int)_socket!.SafeHandle.DangerousGetHandle();

    /// <summary>
    /// Connects, sends the request and reads the response head, on the calling thread and by
    /// <paramref name="deadline"/> (a <see cref="Stopwatch"/> timestamp); the reason it failed, or
    /// null once the stream is open. Body bytes that came with the head are scanned at once.
    /// </summary>
    public string? Connect(long deadline, byte[] buffer)
    {
        (_socket, string? refusal) = PolledSocket.Connect(_server, _source, deadline);
        if (_socket is null)
        {
            return refusal;
        }

        try
        {
            if (PolledSocket.Send(_socket, _request, deadline) is { } failure)
            {
                return failure;
            }

            int received = 0;
            while (true)
            {
                if (received == buffer.Length)
                {
                    return "response head too long";
                }

                if (!PolledSocket.Poll(_socket, SelectMode.SelectRead, deadline))
                {
                    return "no response head in time";
                }

                int read = _socket.Receive(buffer, received, buffer.Length - received, SocketFlags.None, out SocketError receiveError);
                if (receiveError == SocketError.WouldBlock)
                {
                    continue;
                }

                if (receiveError != SocketError.Success)
                {
                    return receiveError.ToString();
                }

                if (read == 0)
                {
                    return "closed before the response head";
                }

                received += read;
                int headEnd = buffer.AsSpan(0, received).IndexOf("\r\n\r\n"u8);
                if (headEnd >= 0)
                {
                    string? answer = ReadHead(buffer.AsSpan(0, headEnd + 2));
                    if (answer is null)
                    {
                        Body(buffer.AsSpan(headEnd + 4, received - headEnd - 4));
                    }

                    return answer;
                }
            }
        }
        catch (SocketException exception)
        {
            return exception.SocketErrorCode.ToString();
        }
    }

    /// <summary>Reads what the socket has into <paramref name="buffer"/> and scans it; false once the stream has ended or broken.</summary>
    public bool ReadAvailable(byte[] buffer)
    {
        int read = Epoll.Receive(Descriptor, buffer);
        if (read < 0)
        {
            return true;
        }

        if (read > 0)
        {
            Body(buffer.AsSpan(0, read));
        }

        if (read == 0 || _chunked is { Ended: true })
        {
            Ended();
            return false;
        }

        return true;
    }

    public void Dispose() => _socket?.Dispose();

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
