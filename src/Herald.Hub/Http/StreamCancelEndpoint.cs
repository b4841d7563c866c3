using Herald.Hub.Authorization;
using Herald.Hub.Streams;
using Microsoft.AspNetCore.Http;

namespace Herald.Hub.Http;

/// <summary>
/// POST on a token stream's <c>cancel</c>: Stop. Anyone allowed to read the stream or to produce
/// it may stop it; the producer learns at once through its control channel.
/// </summary>
internal sealed class StreamCancelEndpoint(HeraldHub hub, TokenStreams streams, IHubAuthorizer authorizer)
{
    /// <summary>The longest reason kept; a longer one is cut.</summary>
    private const int MaxReasonLength = 256;

    public async Task HandleAsync(HttpContext context, string streamId)
    {
        HeraldOptions options = hub.Options;
        if (!await StreamResponses.AcceptAsync(context, options, streamId).ConfigureAwait(false))
        {
            return;
        }

        string topic = TokenStreamNames.TopicOf(streamId);
        streams.TryGet(streamId, out TokenStreamProducer? stream);
        HubAuthorizationResult asReader = await authorizer.AuthorizeAsync(context.Request, HubRole.Subscriber, context.RequestAborted).ConfigureAwait(false);
        if (!Allows(asReader, claims => claims.Subscribe, topic))
        {
            HubAuthorizationResult asProducer = await authorizer.AuthorizeAsync(context.Request, HubRole.Publisher, context.RequestAborted).ConfigureAwait(false);
            if (!Allows(asProducer, claims => claims.Publish, topic))
            {
                bool anonymousReader = asReader.Status == HubAuthorizationStatus.Anonymous && options.AllowAnonymous && stream is { IsPrivate: false };
                if (!anonymousReader)
                {
                    await RefuseAsync(context, asReader, asProducer, topic).ConfigureAwait(false);
                    return;
                }
            }
        }

        string? reason = context.Request.Query["reason"].ToString() is { Length: > 0 } given
            ? given[..Math.Min(given.Length, MaxReasonLength)]
            : null;
        TokenStreamCancelOutcome outcome = streams.Cancel(streamId, reason);
        if (outcome == TokenStreamCancelOutcome.NotFound)
        {
            await HubResponses.ErrorAsync(context, StatusCodes.Status404NotFound, "This hub has no active or recently ended stream with that id.").ConfigureAwait(false);
            return;
        }

        // 202 for the cancel done, 409 with the status the stream had already ended with.
        bool cancelled = outcome == TokenStreamCancelOutcome.Cancelled;
        context.Response.StatusCode = cancelled ? StatusCodes.Status202Accepted : StatusCodes.Status409Conflict;
        context.Response.ContentType = "application/json";
        TokenStreamNotice notice = cancelled || !streams.TryGet(streamId, out TokenStreamProducer? ended)
            ? new TokenStreamNotice(streamId, TokenStreamNotice.Name(TokenStreamStatus.Cancelled), Reason: reason)
            : new TokenStreamNotice(streamId, TokenStreamNotice.Name(ended!.Status), Reason: ended.Reason);
        await context.Response.WriteAsync(notice.ToJson(), context.RequestAborted).ConfigureAwait(false);
    }

    private bool Allows(HubAuthorizationResult result, Func<HubClaims, IReadOnlyList<string>?> selectors, string topic) =>
        result.Status == HubAuthorizationStatus.Authorized && selectors(result.Claims!) is { } allowed && hub.Selectors.MatchesAny(allowed, topic);

    /// <summary>403 when a valid token does not allow the topic; 401 when there is no valid token.</summary>
    private static Task RefuseAsync(HttpContext context, HubAuthorizationResult asReader, HubAuthorizationResult asProducer, string topic)
    {
        if (asReader.IsAuthorized || asProducer.IsAuthorized)
        {
            return HubResponses.ErrorAsync(context, StatusCodes.Status403Forbidden, $"The token allows neither reading nor producing the topic \"{topic}\".");
        }

        return asReader.Status == HubAuthorizationStatus.Invalid && asProducer.Status == HubAuthorizationStatus.Invalid
            ? HubResponses.UnauthorizedAsync(context, asReader, string.Empty)
            : HubResponses.UnauthorizedAsync(context, "Cancelling a stream needs a token that may read or produce it.", invalidToken: false);
    }
}
