using System.Net;
using System.Net.Http.Headers;

namespace Herald.Client;

/// <summary>
/// Sends the event stream request and follows redirects itself, so that the rules are the same
/// whatever handler the caller brought: 301, 302, 307 and 308 keep the method and body, 303
/// turns the request into a body-less GET, a redirect without a usable <c>Location</c> is an
/// error (never a request to the same URL again), and the hops are capped.
/// </summary>
internal sealed class EventStreamConnector
{
    private const string EventStreamMediaType = "text/event-stream";

    private readonly HttpClient _http;
    private readonly Uri _url;
    private readonly HttpMethod _method;
    private readonly ReadOnlyMemory<byte>? _body;
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly bool _sendsAccept;
    private readonly bool _sendsCacheControl;
    private readonly int _maxRedirects;
    private readonly bool _retryTransientStatus;
    private readonly TimeProvider _timeProvider;

    public EventStreamConnector(HttpClient http, EventSourceOptions options)
    {
        _http = http;
        _url = options.Url;
        _method = options.Method;
        _body = options.Body;
        // A copy: the options' dictionary stays mutable, and every reconnection must send the same.
        _headers = [.. options.Headers];
        _sendsAccept = options.Headers.ContainsKey("Accept");
        _sendsCacheControl = options.Headers.ContainsKey("Cache-Control");
        _maxRedirects = options.MaxRedirects;
        _retryTransientStatus = options.ReconnectOnTransientStatus;
        _timeProvider = options.TimeProvider;
    }

    /// <summary>Connects, following redirects.</summary>
    /// <param name="lastEventId">The <c>Last-Event-ID</c> to send; empty sends none.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <exception cref="EventSourceResponseException">The response closes the source.</exception>
    /// <exception cref="HttpRequestException">The request failed on the network.</exception>
    public async Task<ConnectResult> ConnectAsync(string lastEventId, CancellationToken cancellationToken)
    {
        Uri url = _url;
        HttpMethod method = _method;
        ReadOnlyMemory<byte>? body = _body;
        bool sameOrigin = true;
        for (int redirects = 0; ; redirects++)
        {
            HttpResponseMessage response;
            using (HttpRequestMessage request = CreateRequest(url, method, body, lastEventId, sendAuthorization: sameOrigin))
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }

            HttpStatusCode status = response.StatusCode;
            if (IsRedirect(status))
            {
                using (response)
                {
                    Uri next = RedirectTarget(response, url) ??
                        throw new EventSourceResponseException(EventSourceResponseError.InvalidRedirect, status, null, url);
                    if (redirects == _maxRedirects)
                    {
                        throw new EventSourceResponseException(EventSourceResponseError.TooManyRedirects, status, null, url);
                    }

                    if (status == HttpStatusCode.SeeOther && method != HttpMethod.Head)
                    {
                        method = HttpMethod.Get;
                        body = null;
                    }

                    // Credentials given for one origin are not handed to another, as HttpClient's own redirects do.
                    sameOrigin &= Uri.Compare(_url, next, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
                    url = next;
                }

                continue;
            }

            return await AcceptAsync(response, url, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ConnectResult> AcceptAsync(HttpResponseMessage response, Uri url, CancellationToken cancellationToken)
    {
        HttpStatusCode status = response.StatusCode;
        string? contentType = response.Content.Headers.ContentType?.MediaType;
        if (status == HttpStatusCode.OK && string.Equals(contentType, EventStreamMediaType, StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                // A caller's handler may have followed redirects itself: report where it ended.
                return ConnectResult.Open(response, body, response.RequestMessage?.RequestUri ?? url);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }

        using (response)
        {
            if (status == HttpStatusCode.NoContent)
            {
                return ConnectResult.NoContent();
            }

            string? rawContentType = response.Content.Headers.ContentType?.ToString();
            if (status == HttpStatusCode.OK)
            {
                throw new EventSourceResponseException(EventSourceResponseError.UnexpectedContentType, status, rawContentType, url);
            }

            var failure = new EventSourceResponseException(EventSourceResponseError.UnexpectedStatus, status, rawContentType, url, RetryAfter(response.Headers.RetryAfter));
            if (_retryTransientStatus && ((int)status >= 500 || status == HttpStatusCode.TooManyRequests))
            {
                return ConnectResult.Retry(failure);
            }

            throw failure;
        }
    }

    private HttpRequestMessage CreateRequest(Uri url, HttpMethod method, ReadOnlyMemory<byte>? body, string lastEventId, bool sendAuthorization)
    {
        var request = new HttpRequestMessage(method, url);
        if (body is { } content)
        {
            request.Content = new ReadOnlyMemoryContent(content);
        }

        foreach ((string name, string value) in _headers)
        {
            if (!sendAuthorization && name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // Content-Type and the other content headers belong on the content, when there is one.
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (!_sendsAccept)
        {
            request.Headers.TryAddWithoutValidation("Accept", EventStreamMediaType);
        }

        if (!_sendsCacheControl)
        {
            request.Headers.TryAddWithoutValidation("Cache-Control", "no-cache");
        }

        if (lastEventId.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        return request;
    }

    private static bool IsRedirect(HttpStatusCode status) => status is
        HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther or
        HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>The absolute HTTP(S) URL a redirect points to, or null when it has none usable.</summary>
    private static Uri? RedirectTarget(HttpResponseMessage response, Uri current)
    {
        // An empty Location would resolve to the current URL: a loop, not a redirect.
        Uri? location = response.Headers.Location;
        if (location is null || location.OriginalString.Trim().Length == 0)
        {
            return null;
        }

        Uri target = location.IsAbsoluteUri ? location : new Uri(current, location);
        return target.Scheme == Uri.UriSchemeHttp || target.Scheme == Uri.UriSchemeHttps ? target : null;
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            TimeSpan wait = date - _timeProvider.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
