using System.Net;

namespace Herald.Client;

/// <summary>
/// The server answered with something other than an event stream. It ends
/// <see cref="EventSourceClient.ReadAllAsync"/> (the client does not reconnect), except for a
/// 5xx or 429 when <see cref="EventSourceOptions.ReconnectOnTransientStatus"/> is set: then it is
/// reported through <see cref="EventSourceClient.Error"/> and the client tries again.
/// </summary>
public sealed class EventSourceResponseException : HttpRequestException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">What was wrong with the response.</param>
    /// <param name="statusCode">The response's status.</param>
    /// <param name="contentType">The response's <c>Content-Type</c>, if any.</param>
    /// <param name="url">The URL that answered.</param>
    /// <param name="retryAfter">The delay the response's <c>Retry-After</c> asked for, if any.</param>
    public EventSourceResponseException(EventSourceResponseError error, HttpStatusCode statusCode, string? contentType, Uri url, TimeSpan? retryAfter = null)
        : base(Describe(error, statusCode, contentType, url), inner: null, statusCode)
    {
        ArgumentNullException.ThrowIfNull(url);
        Error = error;
        ContentType = contentType;
        Url = url;
        RetryAfter = retryAfter;
    }

    /// <summary>What was wrong with the response.</summary>
    public EventSourceResponseError Error { get; }

    /// <summary>The response's <c>Content-Type</c>, if any.</summary>
    public string? ContentType { get; }

    /// <summary>The URL that answered.</summary>
    public Uri Url { get; }

    /// <summary>The delay the response's <c>Retry-After</c> asked for, if any.</summary>
    public TimeSpan? RetryAfter { get; }

    private static string Describe(EventSourceResponseError error, HttpStatusCode statusCode, string? contentType, Uri? url) => error switch
    {
        EventSourceResponseError.UnexpectedContentType =>
            $"{url} answered 200 with Content-Type '{contentType}', not text/event-stream.",
        EventSourceResponseError.InvalidRedirect =>
            $"{url} answered a {(int)statusCode} redirect without a usable Location.",
        EventSourceResponseError.TooManyRedirects =>
            $"{url} answered yet another {(int)statusCode} redirect: too many redirects in a row.",
        _ => $"{url} answered {(int)statusCode} {statusCode}, not 200 with an event stream.",
    };
}
