using System.Buffers;
using System.IO.Pipelines;
using Herald.Hub.Authorization;
using Herald.Hub.Limits;
using Herald.Hub.Streams;
using Herald.Sse;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Herald.Hub.Http;

/// <summary>What the token stream endpoints answer, in one place.</summary>
internal static class StreamResponses
{
    /// <summary>Every stream endpoint's start: CORS headers, then the id checked (400 when invalid).</summary>
    /// <returns>Whether the request goes on.</returns>
    public static async Task<bool> AcceptAsync(HttpContext context, HeraldOptions options, string streamId)
    {
        HubCors.Apply(context, options);
        if (TokenStreamNames.IsValidId(streamId))
        {
            return true;
        }

        await HubResponses.ErrorAsync(context, StatusCodes.Status400BadRequest, "A stream id is 1 to 128 characters of A-Z, a-z, 0-9, '-', '_', '.' and '~'.").ConfigureAwait(false);
        return false;
    }

    /// <summary>Checks that the request carries a publisher token allowing <paramref name="topic"/>:
    /// 401 without a valid one (<paramref name="whenMissing"/> says what is needed), 403 when it
    /// does not allow the topic.
    /// With <paramref name="rates"/>, the request also counts against the token's publish rate
    /// (429 past it).</summary>
    /// <returns>Whether the request goes on.</returns>
    public static async Task<bool> AuthorizeProducerAsync(HttpContext context, HeraldHub hub, IHubAuthorizer authorizer, string topic, string whenMissing, PublishRateLimiter? rates = null)
    {
        HubAuthorizationResult authorization = await authorizer.AuthorizeAsync(context.Request, HubRole.Publisher, context.RequestAborted).ConfigureAwait(false);
        if (authorization.Status != HubAuthorizationStatus.Authorized)
        {
            await HubResponses.UnauthorizedAsync(context, authorization, whenMissing).ConfigureAwait(false);
            return false;
        }

        if (rates is not null && !await rates.AdmitPublisherAsync(context, authorization).ConfigureAwait(false))
        {
            return false;
        }

        if (authorization.Claims!.Publish is not { } allowed || !hub.Selectors.MatchesAny(allowed, topic))
        {
            await HubResponses.ErrorAsync(context, StatusCodes.Status403Forbidden, $"The token's mercure.publish selectors do not allow the topic \"{topic}\".").ConfigureAwait(false);
            return false;
        }

        return true;
    }

    /// <summary>Starts an event stream response (the producer's control channel), unbuffered.</summary>
    public static PipeWriter StartEventStream(HttpContext context)
    {
        HttpResponse response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return response.BodyWriter;
    }

    /// <summary>Writes one notice event and flushes it; a producer that has gone is no error here.</summary>
    public static async Task WriteNoticeAsync(PipeWriter output, string type, TokenStreamNotice notice)
    {
        SseEncoder.WriteEvent(output, notice.ToJson(), type);
        try
        {
            await output.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or OperationCanceledException)
        {
        }
    }
}
