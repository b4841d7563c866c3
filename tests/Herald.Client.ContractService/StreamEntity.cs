using System.Collections.Concurrent;
using System.Text;

namespace Herald.Client.ContractService;

/// <summary>
/// One client the harness created: an <see cref="EventSourceClient"/> read in the background,
/// each event, comment and error reported as a callback. Like a browser's <c>onmessage</c>, only
/// <c>message</c> events are reported until the harness listens for another type.
/// </summary>
internal sealed class StreamEntity : IAsyncDisposable
{
    private readonly EventSourceClient _source;
    private readonly CallbackSender _callbacks;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, bool> _listened = new(StringComparer.Ordinal);
    private readonly Task _reading;

    private StreamEntity(EventSourceOptions options, CallbackSender callbacks)
    {
        _callbacks = callbacks;
        _source = new EventSourceClient(options);
        // Errors the client retries: reported in order with the events, since both come from the reading loop.
        _source.Error += (_, error) => _callbacks.Post(CallbackMessage.ForError(error.Exception?.Message ?? "The server ended the stream."));
        _reading = ReadAsync();
    }

    /// <summary>Starts a client for the harness's request.</summary>
    /// <exception cref="ArgumentException">The request is incomplete or invalid.</exception>
    public static StreamEntity Start(CreateStreamRequest request, HttpClient callbackHttp)
    {
        if (!Uri.TryCreate(request.StreamUrl, UriKind.Absolute, out Uri? streamUrl))
        {
            throw new ArgumentException("streamUrl must be an absolute URL.", nameof(request));
        }

        if (!Uri.TryCreate(request.CallbackUrl, UriKind.Absolute, out Uri? callbackUrl))
        {
            throw new ArgumentException("callbackUrl must be an absolute URL.", nameof(request));
        }

        if (request.InitialDelayMs is < 0 || request.ReadTimeoutMs is <= 0)
        {
            throw new ArgumentException("initialDelayMs must not be negative and readTimeoutMs must be positive.", nameof(request));
        }

        var options = new EventSourceOptions
        {
            Url = streamUrl,
            Method = string.IsNullOrEmpty(request.Method) ? HttpMethod.Get : new HttpMethod(request.Method),
            Body = request.Body is null ? null : Encoding.UTF8.GetBytes(request.Body),
            LastEventId = string.IsNullOrEmpty(request.LastEventId) ? null : request.LastEventId,
            ReconnectionTime = request.InitialDelayMs is { } delay ? TimeSpan.FromMilliseconds(delay) : EventSourceOptions.DefaultReconnectionTime,
            ReadTimeout = request.ReadTimeoutMs is { } timeout ? TimeSpan.FromMilliseconds(timeout) : null,
            IncludeComments = true,
        };
        foreach ((string name, string value) in request.Headers ?? [])
        {
            options.Headers[name] = value;
        }

        return new StreamEntity(options, new CallbackSender(callbackHttp, callbackUrl));
    }

    public void Restart() => _source.Restart();

    public void Listen(string type) => _listened[type] = true;

    private async Task ReadAsync()
    {
        // Off the request that created the stream: its answer must not wait for the connection.
        await Task.Yield();
        try
        {
            await foreach (SseEvent e in _source.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                if (e.IsComment)
                {
                    _callbacks.Post(CallbackMessage.ForComment(e.Data));
                }
                else if (e.Type == "message" || _listened.ContainsKey(e.Type))
                {
                    _callbacks.Post(CallbackMessage.ForEvent(e));
                }
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or Herald.Sse.SseEventTooLargeException or ObjectDisposedException)
        {
            // What closes the source for good (a response that is not a stream, an event too big) is an error too.
            _callbacks.Post(CallbackMessage.ForError(exception.Message));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _source.DisposeAsync().ConfigureAwait(false);
        await _reading.ConfigureAwait(false);
        await _callbacks.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
