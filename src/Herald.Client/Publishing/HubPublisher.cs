using System.Net;
using System.Net.Http.Headers;

namespace Herald.Client.Publishing;

/// <summary>
/// Publishes updates to a Mercure hub (Herald or any other) with a form-encoded POST, retries
/// what is safe to retry, and turns the hub's refusals into typed exceptions that carry its message.
/// </summary>
/// <remarks>
/// <para>
/// Retries: an update with an id (its own, or one <see cref="HubPublisherOptions.GenerateIds"/>
/// gave it) is retried after a network failure, a timeout, a 5xx or a 429, up to
/// <see cref="HubPublisherOptions.MaxRetries"/> times, with backoff and jitter or after the hub's
/// <c>Retry-After</c>. A Herald hub stores an id once and answers a repeat with the same id, so
/// such a retry cannot publish twice. An update without an id is retried only when no connection
/// could be made: once the request may have reached the hub, sending it again could publish it
/// twice under two ids, so the failure is reported instead.
/// </para>
/// <para>Thread-safe: one publisher may serve every caller of an application.</para>
/// </remarks>
public sealed class HubPublisher : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;
    private readonly HubPublisherOptions _options;
    private readonly RetryPolicy _retryPolicy;

    /// <summary>Creates a publisher with an <see cref="HttpClient"/> of its own, disposed with it.</summary>
    /// <param name="options">The hub, the token and the retry settings.</param>
    /// <exception cref="ArgumentException">The hub URL is not an absolute http or https URL, or a retry setting is negative.</exception>
    public HubPublisher(HubPublisherOptions options)
        : this(options, null)
    {
    }

    /// <summary>Creates a publisher that sends through the caller's <see cref="HttpClient"/>
    /// (its handlers, timeout and proxy apply), which it does not dispose.</summary>
    /// <param name="httpClient">The client to send with.</param>
    /// <param name="options">The hub, the token and the retry settings.</param>
    /// <exception cref="ArgumentException">The hub URL is not an absolute http or https URL, or a retry setting is negative.</exception>
    public HubPublisher(HttpClient httpClient, HubPublisherOptions options)
        : this(options, httpClient ?? throw new ArgumentNullException(nameof(httpClient)))
    {
    }

    private HubPublisher(HubPublisherOptions options, HttpClient? httpClient)
    {
        Validate(options);
        _options = options;
        _retryPolicy = new RetryPolicy(options);
        _ownsHttpClient = httpClient is null;

        // Connections are recycled so that a hub behind DNS that moves is found again.
        _http = httpClient ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
    }

    /// <summary>The hub this publisher posts to.</summary>
    public Uri HubUrl => _options.HubUrl;

    /// <summary>Publishes an update to one topic.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="data">The event data.</param>
    /// <param name="cancellationToken">Stops waiting; the update may or may not have been published.</param>
    /// <returns>The update's id as the hub answered it.</returns>
    /// <inheritdoc cref="PublishAsync(PublishRequest, CancellationToken)" path="/exception"/>
    public Task<string> PublishAsync(string topic, string data, CancellationToken cancellationToken = default) =>
        PublishAsync(new PublishRequest(topic, data), cancellationToken);

    /// <summary>Publishes an update, retrying when that is safe (see the remarks on <see cref="HubPublisher"/>).</summary>
    /// <param name="request">The update.</param>
    /// <param name="cancellationToken">Stops waiting; the update may or may not have been published.</param>
    /// <returns>The update's id as the hub answered it: the request's own, the generated one, or the hub's.</returns>
    /// <exception cref="ArgumentException">The update has no topic, an empty topic, an id starting with <c>#</c>,
    /// CR, LF or NUL in its id or type, or a negative retry; nothing was sent.</exception>
    /// <exception cref="HubBadRequestException">The hub answered 400.</exception>
    /// <exception cref="HubUnauthorizedException">The hub answered 401.</exception>
    /// <exception cref="HubForbiddenException">The hub answered 403.</exception>
    /// <exception cref="HubPayloadTooLargeException">The hub answered 413.</exception>
    /// <exception cref="HubPublishException">The hub answered another error status, after any retries.</exception>
    /// <exception cref="HttpRequestException">The hub could not be reached, after any retries.</exception>
    /// <exception cref="TaskCanceledException">The <see cref="HttpClient"/>'s timeout passed, after any retries.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<string> PublishAsync(PublishRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        PublishForm.Validate(request, nameof(request));

        // Chosen once, before the first attempt: every retry must carry the same id.
        string? id = request.Id ?? (_options.GenerateIds ? "urn:uuid:" + Guid.CreateVersion7().ToString("D") : null);
        byte[] body = PublishForm.Encode(request, id);
        for (int retry = 1; ; retry++)
        {
            PublishAttempt attempt = await SendAsync(request, body, cancellationToken).ConfigureAwait(false);
            if (attempt.Id is { } published)
            {
                return published;
            }

            TimeSpan? delay = attempt.MayRetry(hasId: id is not null) ? _retryPolicy.Delay(retry, attempt.RetryAfter) : null;
            if (delay is not { } wait)
            {
                attempt.Failure!.Throw();
            }
            else if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Disposes the <see cref="HttpClient"/> if the publisher created it.</summary>
    public void Dispose()
    {
        if (_ownsHttpClient)
        {
            _http.Dispose();
        }
    }

    private async Task<PublishAttempt> SendAsync(PublishRequest request, byte[] body, CancellationToken cancellationToken)
    {
        // A request message can be sent only once, so each attempt builds its own around the same bytes.
        using var message = new HttpRequestMessage(HttpMethod.Post, _options.HubUrl) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        if (await TokenAsync(request, cancellationToken).ConfigureAwait(false) is { Length: > 0 } token)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        try
        {
            using HttpResponseMessage response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                // An id never contains a line break, so one at the end is only the body's ending.
                return PublishAttempt.Published(text.TrimEnd('\r', '\n'));
            }

            TimeSpan? retryAfter = RetryAfter(response.Headers.RetryAfter);
            HttpStatusCode status = response.StatusCode;
            return PublishAttempt.Failed(
                HubRefusal.Create(status, HubRefusal.Shorten(text), retryAfter),
                transient: (int)status >= 500 || status == HttpStatusCode.TooManyRequests,
                retryAfter: retryAfter);
        }
        catch (HttpRequestException exception)
        {
            // Name resolution and connection errors happen before a byte of the request is sent;
            // anything later (a reset, a response cut short) may follow a stored update.
            bool notSent = exception.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError;
            return PublishAttempt.Failed(exception, transient: true, notSent);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The HttpClient's timeout, not the caller: the hub may have stored the update.
            return PublishAttempt.Failed(exception, transient: true);
        }
    }

    private async ValueTask<string?> TokenAsync(PublishRequest request, CancellationToken cancellationToken) =>
        request.Token
        ?? (_options.TokenProvider is { } provider ? await provider(cancellationToken).ConfigureAwait(false) : _options.Token);

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - _options.TimeProvider.GetUtcNow() is { Ticks: > 0 } wait ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static void Validate(HubPublisherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        HttpUrls.ThrowIfNotHttp(options.HubUrl, "hub URL", nameof(options));

        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.InitialRetryDelay, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRetryDelay, TimeSpan.Zero, nameof(options));
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options));
    }
}
