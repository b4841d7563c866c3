using Herald.Hub.Authorization;
using Herald.Hub.Streams;
using Microsoft.AspNetCore.Http;

namespace Herald.Hub.Http;

/// <summary>
/// POST on a token stream's <c>cancel</c>: Stop. Anyone allowed to read the stream or to produce
/// it may stop it; the producer learns at once through its control channel, also when it
/// produces on another node sharing the history (<see cref="TokenStreams.CancelAsync"/>).
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
        TokenStreamState? found;
        try
        {
            found = await streams.FindAsync(streamId, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A stream of another node is known from the shared history, which is out of reach.
            await HubResponses.UnavailableAsync(context, options.RetryAfter, $"The history cannot be read now: {exception.Message}").ConfigureAwait(false);
            return;
        }

        HubAuthorizationResult asReader = await authorizer.AuthorizeAsync(context.Request, HubRole.Subscriber, context.RequestAborted).ConfigureAwait(false);
        if (!Allows(asReader, claims => claims.Subscribe, topic))
        {
            HubAuthorizationResult asProducer = await authorizer.AuthorizeAsync(context.Request, HubRole.Publisher, context.RequestAborted).ConfigureAwait(false);
            if (!Allows(asProducer, claims => claims.Publish, topic))
            {
                bool anonymousReader = asReader.Status == HubAuthorizationStatus.Anonymous && options.AllowAnonymous && found is { IsPrivate: false };
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
        if (found is null)
        {
            await HubResponses.ErrorAsync(context, StatusCodes.Status404NotFound, "This hub has no active or recently ended stream with that id.").ConfigureAwait(false);
            return;
        }

        TokenStreamCancelOutcome outcome;
        try
        {
            outcome = await streams.CancelAsync(streamId, found, reason, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The cancel request for the producer's node could not be stored: nothing was sent.
            await HubResponses.UnavailableAsync(context, options.RetryAfter, $"The cancel could not be sent: {exception.Message}").ConfigureAwait(false);
            return;
        }

        // 202 for the cancel done, 409 with the status the stream had already ended with.
        bool cancelled = outcome == TokenStreamCancelOutcome.Cancelled;
        context.Response.StatusCode = cancelled ? StatusCodes.Status202Accepted : StatusCodes.Status409Conflict;
        context.Response.ContentType = "application/json";
        TokenStreamState ended = found.Producer is { } producer ? TokenStreamState.Of(producer) : found;
        TokenStreamNotice notice = cancelled
            ? new TokenStreamNotice(streamId, TokenStreamNotice.Name(TokenStreamStatus.Cancelled), Reason: reason)
            : new TokenStreamNotice(streamId, TokenStreamNotice.Name(ended.Status), Reason: ended.Reason);
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
