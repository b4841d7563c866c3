using System.Globalization;
using Herald.Hub.Authorization;
using Herald.Hub.Limits;
using Herald.Hub.Streams;
using Herald.Sse;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Herald.Hub.Http;

/// <summary>
/// POST to the hub: a form-encoded update. Validates it, checks the publisher's token, stores and
/// delivers it, and answers with its id.
/// </summary>
internal sealed class PublishEndpoint(HeraldHub hub, IHubAuthorizer authorizer, PublishRateLimiter rates, string hubPath)
{
    public async Task HandleAsync(HttpContext context)
    {
        HeraldOptions options = hub.Options;
        HubCors.Apply(context, options);
        HttpRequest request = context.Request;
        if (hub.IsDraining)
        {
            await HubResponses.DrainingAsync(context, options.RetryAfter).ConfigureAwait(false);
            return;
        }

        if (!request.HasFormContentType || !MediaTypeHeaderValue.TryParse(request.ContentType, out MediaTypeHeaderValue? type)
            || !type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            await HubResponses.ErrorAsync(context, StatusCodes.Status400BadRequest, "The update must be sent as application/x-www-form-urlencoded.").ConfigureAwait(false);
            return;
        }

        // Checked before any byte of the body is read: an oversized publish costs nothing.
        if (request.ContentLength > options.MaxPublishBodySize)
        {
            await TooLargeAsync(context, options).ConfigureAwait(false);
            return;
        }

        if (!await rates.AdmitClientAsync(context).ConfigureAwait(false))
        {
            return;
        }

        HubAuthorizationResult authorization = await authorizer.AuthorizeAsync(request, HubRole.Publisher, context.RequestAborted).ConfigureAwait(false);
        if (authorization.Status != HubAuthorizationStatus.Authorized)
        {
            await HubResponses.UnauthorizedAsync(context, authorization, "Publishing needs a token: send it as 'Authorization: Bearer <token>'.").ConfigureAwait(false);
            return;
        }

        if (!await rates.AdmitPublisherAsync(context, authorization).ConfigureAwait(false))
        {
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // Kestrel then refuses a longer body itself, however it is framed.
            limit.MaxRequestBodySize = options.MaxPublishBodySize;
        }

        Dictionary<string, StringValues>? form;
        try
        {
            (UrlEncodedForm.Status status, form, string? formProblem) = await UrlEncodedForm.ReadAsync(request.BodyReader, options.MaxPublishBodySize, context.RequestAborted).ConfigureAwait(false);
            if (status != UrlEncodedForm.Status.Read)
            {
                await (status == UrlEncodedForm.Status.TooLarge
                    ? TooLargeAsync(context, options)
                    : HubResponses.ErrorAsync(context, StatusCodes.Status400BadRequest, formProblem!)).ConfigureAwait(false);
                return;
            }
        }
        catch (BadHttpRequestException error) when (error.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await TooLargeAsync(context, options).ConfigureAwait(false);
            return;
        }

        if (Parse(form!, out string? problem) is not { } update)
        {
            await HubResponses.ErrorAsync(context, StatusCodes.Status400BadRequest, problem!).ConfigureAwait(false);
            return;
        }

        if (EventSizeLimit.DescribeTooLarge(update.Data, options) is { } tooLarge)
        {
            await HubResponses.ErrorAsync(context, StatusCodes.Status413PayloadTooLarge, tooLarge).ConfigureAwait(false);
            return;
        }

        if (Forbidden(update, authorization.Claims!) is { } denial)
        {
            await HubResponses.ErrorAsync(context, StatusCodes.Status403Forbidden, denial).ConfigureAwait(false);
            return;
        }

        string id;
        try
        {
            id = await hub.PublishAsync(update, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not ArgumentException)
        {
            // The store could not take the update: it was not stored, so it must not look
            // acknowledged. The publisher retries, with the same id if it wants exactly once.
            await HubResponses.UnavailableAsync(context, options.RetryAfter, $"The update could not be stored: {exception.Message}").ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(id, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Builds the update from the form, or says which field is wrong.</summary>
    internal static Update? Parse(Dictionary<string, StringValues> form, out string? problem)
    {
        StringValues topics = form.GetValueOrDefault("topic");
        if (topics.Count == 0 || topics.Any(string.IsNullOrEmpty))
        {
            problem = "Missing \"topic\": an update needs at least one non-empty topic.";
            return null;
        }

        string? id = Single(form, "id");
        if (HeraldHub.DescribeInvalidId(id) is { } idProblem)
        {
            problem = idProblem;
            return null;
        }

        string? type = Single(form, "type");
        if (SseEncoder.DescribeInvalidField(type, "type") is { } typeProblem)
        {
            problem = typeProblem;
            return null;
        }

        long? retry = null;
        if (Single(form, "retry") is { } retryText)
        {
            if (retryText.Length == 0 || !retryText.All(char.IsAsciiDigit)
                || !long.TryParse(retryText, NumberStyles.None, CultureInfo.InvariantCulture, out long milliseconds))
            {
                problem = $"\"retry\" must be a number of milliseconds made of ASCII digits only; got \"{retryText}\".";
                return null;
            }

            retry = milliseconds;
        }

        problem = null;
        return new Update(
            topics.ToArray()!,
            Single(form, "data") ?? string.Empty,
            string.IsNullOrEmpty(id) ? null : id,
            string.IsNullOrEmpty(type) ? null : type,
            retry,
            // The field's presence makes an update private, whatever its value.
            isPrivate: form.ContainsKey("private"));
    }

    /// <summary>Why the token may not publish this update, or <see langword="null"/>.</summary>
    private string? Forbidden(Update update, HubClaims claims)
    {
        foreach (string topic in update.Topics)
        {
            if (ReservedNamespaceOf(topic) is { } reserved)
            {
                return $"The topic \"{topic}\" is in the hub's reserved namespace {reserved}; only the hub publishes there.";
            }
        }

        if (claims.Publish is not { } allowed)
        {
            return "The token has no mercure.publish claim: it may not publish.";
        }

        foreach (string topic in update.Topics)
        {
            if (!hub.Selectors.MatchesAny(allowed, topic))
            {
                return $"The token's mercure.publish selectors do not allow the topic \"{topic}\".";
            }
        }

        return null;
    }

    /// <summary>The reserved namespace a topic's path falls in, resolved as a URI reference
    /// whatever the scheme and host, or <see langword="null"/>: the hub's path (so no publisher can
    /// forge the hub's subscription events) and the token streams' (only a stream's producer
    /// writes there, so its numbering and lifecycle cannot be forged).</summary>
    private string? ReservedNamespaceOf(string topic)
    {
        if (!Uri.TryCreate(new Uri("http://hub.invalid"), topic, out Uri? resolved))
        {
            return null;
        }

        string path = resolved.AbsolutePath;
        if (path.Equals(hubPath, StringComparison.Ordinal) || path.StartsWith(hubPath + "/", StringComparison.Ordinal))
        {
            return hubPath;
        }

        return TokenStreamNames.IsStreamPath(path) ? TokenStreamNames.DefaultPath : null;
    }

    private static string? Single(Dictionary<string, StringValues> form, string key) =>
        form.TryGetValue(key, out StringValues values) && values.Count > 0 ? values[0] : null;

    private static Task TooLargeAsync(HttpContext context, HeraldOptions options) =>
        HubResponses.ErrorAsync(context, StatusCodes.Status413PayloadTooLarge, $"The update is larger than the hub accepts ({options.MaxPublishBodySize} bytes).");
}
