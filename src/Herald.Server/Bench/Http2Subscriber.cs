using System.Net;

namespace Herald.Server.Bench;

/// <summary>
/// A subscriber as one HTTP/2 stream (h2c, prior knowledge), multiplexed with others over the
/// worker's shared <see cref="HttpClient"/> connections.
/// </summary>
internal sealed class Http2Subscriber : BenchSubscriber
{
    private readonly HttpClient _client;
    private readonly Uri _url;
    private readonly string? _token;
    private readonly byte[] _buffer;
    private HttpResponseMessage? _response;
    private Stream? _body;

    public Http2Subscriber(HttpClient client, Uri url, string? token, int bufferBytes, int expectedEvents, ThreadLocal<ReceiveStats> stats, Action completed)
        : base(expectedEvents, stats, completed)
    {
        _client = client;
        _url = url;
        _token = token;
        _buffer = new byte[bufferBytes];
    }

    /// <summary>Opens the stream; the reason it failed, or null once it is open.</summary>
    public async Task<string?> ConnectAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _url) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (_token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _token);
        }

        try
        {
            _response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (_response.StatusCode != HttpStatusCode.OK)
            {
                return $"HTTP {(int)_response.StatusCode}";
            }

            _body = await _response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (HttpRequestException exception)
        {
            return exception.HttpRequestError.ToString();
        }
    }

    /// <summary>Reads the stream until it ends or <paramref name="cancellationToken"/> stops it.</summary>
    public async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _body!.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false) is int read and > 0)
            {
                Deliver(_buffer.AsSpan(0, read));
            }

            EndedEarly = !cancellationToken.IsCancellationRequested;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException or ObjectDisposedException)
        {
            EndedEarly = !cancellationToken.IsCancellationRequested;
        }
        finally
        {
            Dispose();
        }
    }

    public override void Dispose() => _response?.Dispose();
}
