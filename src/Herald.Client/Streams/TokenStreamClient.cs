using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using Herald.Client.Publishing;
using Herald.Sse;

namespace Herald.Client.Streams;

/// <summary>
/// A client of a Herald hub's LLM token streams (<c>docs/streams.md</c>): produce a stream with
/// <see cref="OpenAsync"/>, read one with <see cref="ReadAsync"/>, stop one with <see cref="CancelAsync"/>.
/// </summary>
/// <remarks>
/// <para>
/// Reads and cancels go through an <see cref="HttpClient"/> (the caller's, or one of the client's
/// own). A producer's request does not: its body and its response must flow at the same time, and
/// <see cref="SocketsHttpHandler"/> sends an HTTP/1.1 request body completely before it reads the
/// response. Each <see cref="OpenAsync"/> therefore opens an HTTP/1.1 connection of its own
/// (TLS for <c>https</c>, with the system's certificate validation; no proxy), closed with the writer.
/// </para>
/// <para>Thread-safe: one client may serve every producer and reader of an application.</para>
/// </remarks>
public sealed class TokenStreamClient : IDisposable
{
    private const string EventStreamMediaType = "text/event-stream";

    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;
    private readonly TokenStreamClientOptions _options;
    private readonly string _streamsUrl;

    /// <summary>Creates a client with an <see cref="HttpClient"/> of its own, disposed with it.</summary>
    /// <param name="options">The hub and the token.</param>
    /// <exception cref="ArgumentException">The hub URL is not an absolute http or https URL, the streams path is empty, or a timeout or interval is not positive.</exception>
    public TokenStreamClient(TokenStreamClientOptions options)
        : this(options, null)
    {
    }

    /// <summary>
    /// Creates a client that reads and cancels through the caller's <see cref="HttpClient"/>, which
    /// it does not dispose. Reads are long: its <see cref="HttpClient.Timeout"/> should be infinite,
    /// and its handler should be built like <see cref="EventSourceClient.CreateHttpHandler"/>.
    /// </summary>
    /// <param name="httpClient">The client to read and cancel with.</param>
    /// <param name="options">The hub and the token.</param>
    /// <exception cref="ArgumentException">The hub URL is not an absolute http or https URL, the streams path is empty, or a timeout or interval is not positive.</exception>
    public TokenStreamClient(HttpClient httpClient, TokenStreamClientOptions options)
        : this(options, httpClient ?? throw new ArgumentNullException(nameof(httpClient)))
    {
    }

    private TokenStreamClient(TokenStreamClientOptions options, HttpClient? httpClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        HttpUrls.ThrowIfNotHttp(options.HubUrl, "hub URL", nameof(options));
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ConnectTimeout, TimeSpan.Zero, nameof(options));
        if (options.KeepAliveInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.KeepAliveInterval, "The keep-alive interval must be positive, or null for none.");
        }

        if (string.IsNullOrWhiteSpace(options.StreamsPath))
        {
            throw new ArgumentException("The streams path must not be empty.", nameof(options));
        }

        _options = options;
        _streamsUrl = new Uri(options.HubUrl, options.StreamsPath).AbsoluteUri.TrimEnd('/') + "/";
        _ownsHttpClient = httpClient is null;
        _http = httpClient ?? new HttpClient(EventSourceClient.CreateHttpHandler(), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The base URL of the hub's streams endpoints, ending with <c>/</c>.</summary>
    public Uri StreamsUrl => new(_streamsUrl);

    /// <summary>
    /// Starts producing a stream: POSTs a chunked <c>text/event-stream</c> body to the stream's
    /// endpoint, and returns once the hub answered and announced the stream <c>active</c>.
    /// </summary>
    /// <param name="streamId">A new id (1 to 128 characters of <c>A-Z a-z 0-9 - _ . ~</c>; ids are single use, so a UUID per generation).</param>
    /// <param name="isPrivate">Whether every event of the stream is private: only readers whose subscriber token allows the topic receive it.</param>
    /// <param name="cancellationToken">Stops opening; the connection is closed.</param>
    /// <returns>The writer; dispose it (after completing) to close the connection.</returns>
    /// <exception cref="ArgumentException">The stream id breaks the rule; nothing was sent.</exception>
    /// <exception cref="InvalidOperationException">The token contains CR or LF; nothing was sent.</exception>
    /// <exception cref="HubUnauthorizedException">The hub answered 401: no token, or an invalid one.</exception>
    /// <exception cref="HubForbiddenException">The hub answered 403: the token does not allow the stream's topic.</exception>
    /// <exception cref="HubConflictException">The hub answered 409: the id is active or still in its history.</exception>
    /// <exception cref="HubBadRequestException">The hub answered 400.</exception>
    /// <exception cref="HubPublishException">The hub answered another error status, such as 503 at its limit of active streams (with <see cref="HubPublishException.RetryAfter"/> if it said).</exception>
    /// <exception cref="TokenStreamEndedException">The hub ended the stream before announcing it active, or the connection broke first.</exception>
    /// <exception cref="HttpRequestException">The hub could not be reached, or did not answer with an event stream.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<TokenStreamWriter> OpenAsync(string streamId, bool isPrivate = false, CancellationToken cancellationToken = default)
    {
        StreamIds.Validate(streamId, nameof(streamId));
        string? token = await TokenAsync(cancellationToken).ConfigureAwait(false);
        if (token is not null && token.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new InvalidOperationException("The token must not contain CR or LF: it would end the Authorization header.");
        }

        Uri url = StreamUrl(streamId, isPrivate ? "?private" : "");
        Http1Connection connection = await Http1Connection.ConnectAsync(url, _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        TokenStreamWriter? writer = null;
        try
        {
            await connection.SendHeadAsync(url, token, cancellationToken).ConfigureAwait(false);
            Http1Response response = await connection.ReadResponseHeadAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != (int)HttpStatusCode.OK)
            {
                throw await RefusalAsync(response, cancellationToken).ConfigureAwait(false);
            }

            string? contentType = response.Header("Content-Type");
            if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? mediaType) ||
                !string.Equals(mediaType.MediaType, EventStreamMediaType, StringComparison.OrdinalIgnoreCase))
            {
                throw new HttpRequestException(HttpRequestError.InvalidResponse, $"{url} answered 200 with Content-Type '{contentType}', not a token stream's text/event-stream.");
            }

            writer = new TokenStreamWriter(streamId, connection, response.Body, _options);
            if (!await writer.WaitActiveAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new TokenStreamEndedException(streamId, await writer.Final.ConfigureAwait(false), null);
            }

            return writer;
        }
        catch
        {
            if (writer is not null)
            {
                await writer.CloseAsync().ConfigureAwait(false);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Reads a stream: from its start, or after <paramref name="lastEventId"/>; resumes by itself
    /// after a dropped connection; ends after the stream's final lifecycle event. A stream not
    /// started yet is waited for.
    /// </summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="lastEventId">An event id of this stream (<see cref="TokenStreamItem.EventId"/>) to resume after, or <see langword="null"/> for the start.</param>
    /// <param name="cancellationToken">Stops reading: the enumeration then ends quietly, as <see cref="EventSourceClient.ReadAllAsync"/> does.</param>
    /// <returns>
    /// Tokens, typed events and lifecycle items in stream order, the last one terminal (done,
    /// error or cancelled). The enumeration also ends, with no terminal item, when the id resumed
    /// from was already the final event (the hub answers 204).
    /// </returns>
    /// <exception cref="ArgumentException">The stream id breaks the rule, or the last event id contains CR, LF or NUL.</exception>
    /// <exception cref="EventSourceResponseException">The hub refused the read (401, 403 for a private stream without the right token), thrown by the enumeration.</exception>
    public IAsyncEnumerable<TokenStreamItem> ReadAsync(string streamId, string? lastEventId = null, CancellationToken cancellationToken = default)
    {
        StreamIds.Validate(streamId, nameof(streamId));
        if (SseEncoder.DescribeInvalidField(lastEventId, "id") is { } invalid)
        {
            throw new ArgumentException(invalid, nameof(lastEventId));
        }

        return ReadIteratorAsync(streamId, lastEventId, cancellationToken);
    }

    /// <summary>Stops a stream, wherever its producer runs: the hub ends it as cancelled at once and tells the producer.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="reason">Why, passed on to the producer and to readers; <see langword="null"/> gives none.</param>
    /// <param name="cancellationToken">Stops waiting; the stream may or may not have been cancelled.</param>
    /// <returns>Cancelled (202), not found (404), or already finished (409, with the status the hub gave).</returns>
    /// <exception cref="ArgumentException">The stream id breaks the rule.</exception>
    /// <exception cref="HubUnauthorizedException">The hub answered 401.</exception>
    /// <exception cref="HubForbiddenException">The hub answered 403: the token allows the topic neither to subscribe nor to publish.</exception>
    /// <exception cref="HubBadRequestException">The hub answered 400.</exception>
    /// <exception cref="HubPublishException">The hub answered another error status.</exception>
    /// <exception cref="HttpRequestException">The hub could not be reached.</exception>
    public async Task<TokenStreamCancelResult> CancelAsync(string streamId, string? reason = null, CancellationToken cancellationToken = default)
    {
        StreamIds.Validate(streamId, nameof(streamId));
        // The hub takes the reason as a query parameter (and keeps at most 256 characters of it).
        string query = reason is null ? "/cancel" : "/cancel?reason=" + Uri.EscapeDataString(reason);
        using var request = new HttpRequestMessage(HttpMethod.Post, StreamUrl(streamId, query));
        if (await TokenAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.Accepted or HttpStatusCode.OK => new TokenStreamCancelResult(TokenStreamCancelOutcome.Cancelled, TokenStreamStatus.Cancelled),
            HttpStatusCode.NotFound => new TokenStreamCancelResult(TokenStreamCancelOutcome.NotFound, null),
            HttpStatusCode.Conflict => new TokenStreamCancelResult(TokenStreamCancelOutcome.AlreadyFinished, FinishedStatus(text)),
            HttpStatusCode status => throw HubRefusal.Create(status, HubRefusal.Shorten(text), response.Headers.RetryAfter?.Delta),
        };
    }

    /// <summary>Disposes the <see cref="HttpClient"/> if the client created it. Open writers keep their own connections.</summary>
    public void Dispose()
    {
        if (_ownsHttpClient)
        {
            _http.Dispose();
        }
    }

    private async IAsyncEnumerable<TokenStreamItem> ReadIteratorAsync(string streamId, string? lastEventId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = new EventSourceOptions
        {
            Url = StreamUrl(streamId, ""),
            HttpClient = _http,
            LastEventId = lastEventId,
            TimeProvider = _options.TimeProvider,
        };
        if (await TokenAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 } token)
        {
            options.Headers["Authorization"] = "Bearer " + token;
        }

        await using var source = new EventSourceClient(options);
        await foreach (SseEvent received in source.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            TokenStreamItem item = ToItem(received);
            yield return item;
            if (item.IsTerminal)
            {
                // The hub ends the response after it; ending here saves the reconnection that would learn so (a 204).
                yield break;
            }
        }
    }

    private static TokenStreamItem ToItem(SseEvent received)
    {
        if (received.Type == TokenStreamItem.LifecycleEventType &&
            TokenStreamJsonContext.ReadNotice(received.Data) is { ParsedStatus: { } status } notice)
        {
            return new TokenStreamItem(received.Type, received.Data, received.LastEventId, status, notice.Tokens, notice.Reason);
        }

        // SSE cannot tell "event: message" from no type at all: both are tokens.
        string? type = received.Type == SseItem.DefaultEventType ? null : received.Type;
        return new TokenStreamItem(type, received.Data, received.LastEventId);
    }

    /// <summary>The status in a 409 answer to a cancel: the hub's JSON notice, as a 202 carries.</summary>
    private static TokenStreamStatus? FinishedStatus(string text) => TokenStreamJsonContext.ReadNotice(text)?.ParsedStatus;

    private Uri StreamUrl(string streamId, string suffix) => new(_streamsUrl + streamId + suffix);

    private async ValueTask<string?> TokenAsync(CancellationToken cancellationToken) =>
        _options.TokenProvider is { } provider ? await provider(cancellationToken).ConfigureAwait(false) : _options.Token;

    private async Task<HubPublishException> RefusalAsync(Http1Response response, CancellationToken cancellationToken)
    {
        // Enough of the body for the hub's message; an error page is cut short, not read to its end.
        byte[] buffer = new byte[HubRefusal.MaxMessageLength];
        int length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = await response.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException)
        {
            // The status says enough; the message is a courtesy.
        }

        string message = HubRefusal.Shorten(Encoding.UTF8.GetString(buffer, 0, length));
        var status = (HttpStatusCode)response.StatusCode;
        return status == HttpStatusCode.Conflict
            ? new HubConflictException(message)
            : HubRefusal.Create(status, message, RetryAfter(response.Header("Retry-After")));
    }

    private TimeSpan? RetryAfter(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset date)
            ? (date - _options.TimeProvider.GetUtcNow() is { Ticks: > 0 } wait ? wait : TimeSpan.Zero)
            : null;
    }
}
