namespace Herald.Client;

/// <summary>What one connection attempt came to, short of an error that closes the source (those are thrown).</summary>
internal readonly struct ConnectResult
{
    private ConnectResult(HttpResponseMessage? response, Stream? body, Uri? url, EventSourceResponseException? retryable)
    {
        Response = response;
        Body = body;
        Url = url;
        Retryable = retryable;
    }

    /// <summary>The open event stream's response; null unless <see cref="IsOpen"/>.</summary>
    public HttpResponseMessage? Response { get; }

    /// <summary>The open event stream's body; null unless <see cref="IsOpen"/>.</summary>
    public Stream? Body { get; }

    /// <summary>The URL that answered, after redirects; null unless <see cref="IsOpen"/>.</summary>
    public Uri? Url { get; }

    /// <summary>A 5xx or 429 to retry (only when the caller opted in).</summary>
    public EventSourceResponseException? Retryable { get; }

    public bool IsOpen => Response is not null;

    /// <summary>HTTP 204: the server asks the client to stop for good.</summary>
    public bool IsNoContent => Response is null && Retryable is null;

    public static ConnectResult Open(HttpResponseMessage response, Stream body, Uri url) => new(response, body, url, null);

    public static ConnectResult NoContent() => new(null, null, null, null);

    public static ConnectResult Retry(EventSourceResponseException exception) => new(null, null, null, exception);
}
