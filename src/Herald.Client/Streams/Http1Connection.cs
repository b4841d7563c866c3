using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Herald.Client.Streams;

/// <summary>
/// One HTTP/1.1 request whose chunked body and response flow at the same time. HttpClient cannot
/// do that over HTTP/1.1: SocketsHttpHandler sends the whole request body before it reads the
/// response's status line, and a producer's body ends only when the answer is complete. So the
/// producer's request goes over a connection of its own, used once and closed.
/// </summary>
/// <remarks>One read and one write may run at the same time (the response reader and the body pump); not more.</remarks>
internal sealed class Http1Connection : IAsyncDisposable
{
    private const int MaxHeaderLineLength = 8 * 1024;
    private const int MaxHeadLength = 64 * 1024;
    private static readonly byte[] LastChunk = "0\r\n\r\n"u8.ToArray();

    private readonly Stream _stream;
    private readonly Http1InputBuffer _input;
    private int _headLength;
    private int _disposed;

    private Http1Connection(Stream stream)
    {
        _stream = stream;
        _input = new Http1InputBuffer(stream);
    }

    /// <summary>Opens a TCP connection (and TLS for <c>https</c>) to the URL's host.</summary>
    /// <exception cref="HttpRequestException">The host could not be resolved or reached, TLS failed, or <paramref name="timeout"/> passed.</exception>
    public static async Task<Http1Connection> ConnectAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);

        // NoDelay: a token is a few bytes, and it must leave now, not when Nagle has more to send.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            await socket.ConnectAsync(new DnsEndPoint(url.IdnHost, url.Port), bound.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (url.Scheme == Uri.UriSchemeHttps)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = url.IdnHost,
                        // HTTP/1.1 only: the framing below is HTTP/1.1's.
                        ApplicationProtocols = [SslApplicationProtocol.Http11],
                    },
                    bound.Token).ConfigureAwait(false);
            }

            return new Http1Connection(stream);
        }
        catch (Exception exception)
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket.Dispose();
            throw exception switch
            {
                SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData } =>
                    new HttpRequestException(HttpRequestError.NameResolutionError, $"{url.IdnHost} could not be resolved: {exception.Message}", exception),
                SocketException or IOException =>
                    new HttpRequestException(HttpRequestError.ConnectionError, $"{url.Authority} could not be reached: {exception.Message}", exception),
                AuthenticationException =>
                    new HttpRequestException(HttpRequestError.SecureConnectionError, $"TLS with {url.Authority} failed: {exception.Message}", exception),
                OperationCanceledException when !cancellationToken.IsCancellationRequested =>
                    new HttpRequestException(HttpRequestError.ConnectionError, $"{url.Authority} could not be reached within {timeout.TotalSeconds:0.#} s.", exception),
                _ => exception,
            };
        }
    }

    /// <summary>Sends the request line and headers of a POST with a chunked <c>text/event-stream</c> body.</summary>
    public async Task SendHeadAsync(Uri url, string? token, CancellationToken cancellationToken)
    {
        string host = url.HostNameType == UriHostNameType.IPv6 ? $"[{url.DnsSafeHost}]" : url.IdnHost;
        var head = new StringBuilder(256)
            .Append(CultureInfo.InvariantCulture, $"POST {url.PathAndQuery} HTTP/1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Host: {host}{(url.IsDefaultPort ? "" : ":" + url.Port.ToString(CultureInfo.InvariantCulture))}\r\n")
            .Append("Content-Type: text/event-stream\r\n")
            .Append("Transfer-Encoding: chunked\r\n")
            .Append("Accept: text/event-stream\r\n")
            .Append("Cache-Control: no-cache\r\n");
        if (!string.IsNullOrEmpty(token))
        {
            head.Append(CultureInfo.InvariantCulture, $"Authorization: Bearer {token}\r\n");
        }

        head.Append("\r\n");
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(head.ToString()), cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the status line and headers (skipping interim 1xx responses); the body is read from the result.</summary>
    /// <exception cref="HttpRequestException">The response is not HTTP/1.x, or its head is too large or cut short.</exception>
    public async Task<Http1Response> ReadResponseHeadAsync(CancellationToken cancellationToken)
    {
        _headLength = 0;
        while (true)
        {
            string statusLine = await ReadHeadLineAsync(cancellationToken).ConfigureAwait(false);
            // "HTTP/1.1 200 OK": the version, a space, three digits.
            if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1.", StringComparison.Ordinal) || statusLine[8] != ' ' ||
                !int.TryParse(statusLine.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out int status))
            {
                throw new HttpRequestException(HttpRequestError.InvalidResponse, $"The hub answered with \"{statusLine}\", not an HTTP/1.x status line.");
            }

            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (await ReadHeadLineAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 } line)
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    throw new HttpRequestException(HttpRequestError.InvalidResponse, $"The hub sent an invalid header line \"{line}\".");
                }

                string name = line[..colon];
                string value = line[(colon + 1)..].Trim();
                headers[name] = headers.TryGetValue(name, out string? earlier) ? earlier + ", " + value : value;
            }

            if (status is >= 100 and < 200)
            {
                continue;
            }

            return new Http1Response(status, headers, Body(status, headers));
        }
    }

    /// <summary>Sends <paramref name="data"/> as one chunk, with one write and one flush.</summary>
    public async ValueTask WriteChunkAsync(ReadOnlySequence<byte> data, CancellationToken cancellationToken)
    {
        int length = checked((int)data.Length);
        // The size in hex (at most 8 digits), CRLF, the data, CRLF.
        byte[] frame = ArrayPool<byte>.Shared.Rent(length + 12);
        try
        {
            length.TryFormat(frame, out int written, "X", CultureInfo.InvariantCulture);
            frame[written++] = (byte)'\r';
            frame[written++] = (byte)'\n';
            data.CopyTo(frame.AsSpan(written));
            written += length;
            frame[written++] = (byte)'\r';
            frame[written++] = (byte)'\n';
            await _stream.WriteAsync(frame.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Ends the chunked body: the hub reads a clean end.</summary>
    public async ValueTask EndBodyAsync(CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(LastChunk, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the connection; pending reads and writes fail. Safe to call more than once.</summary>
    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _disposed, 1) == 0 ? _stream.DisposeAsync() : ValueTask.CompletedTask;

    private Http1ResponseBody Body(int status, Dictionary<string, string> headers)
    {
        if (headers.TryGetValue("Transfer-Encoding", out string? encoding) &&
            encoding.EndsWith("chunked", StringComparison.OrdinalIgnoreCase))
        {
            return Http1ResponseBody.Chunked(_input);
        }

        if (status is 204 or 304)
        {
            return Http1ResponseBody.WithLength(_input, 0);
        }

        if (headers.TryGetValue("Content-Length", out string? value))
        {
            return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long length)
                ? Http1ResponseBody.WithLength(_input, length)
                : throw new HttpRequestException(HttpRequestError.InvalidResponse, $"The hub sent an invalid Content-Length \"{value}\".");
        }

        return Http1ResponseBody.UntilClose(_input);
    }

    private async ValueTask<string> ReadHeadLineAsync(CancellationToken cancellationToken)
    {
        string line = await _input.ReadLineAsync(MaxHeaderLineLength, cancellationToken).ConfigureAwait(false)
            ?? throw new HttpIOException(HttpRequestError.ResponseEnded, "The hub closed the connection before its response's head was complete.");
        _headLength += line.Length + 2;
        return _headLength <= MaxHeadLength
            ? line
            : throw new HttpRequestException(HttpRequestError.InvalidResponse, $"The hub's response head is larger than {MaxHeadLength} bytes.");
    }
}
