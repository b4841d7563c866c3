using System.Text.Json;
using Herald.Hub.Authorization;
using Herald.Hub.History;
using Herald.Hub.Subscriptions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Herald.Hub.Http;

/// <summary>
/// GET on <c>{hub}/subscriptions[/{topic}[/{subscriber}]]</c>: the active subscriptions as
/// JSON-LD. The token's <c>mercure.subscribe</c> selectors must match the requested resource.
/// </summary>
internal sealed class SubscriptionsEndpoint(HeraldHub hub, IHubAuthorizer authorizer, ActiveSubscriptions subscriptions)
{
    public async Task HandleAsync(HttpContext context)
    {
        HubCors.Apply(context, hub.Options);
        if (!hub.Options.EnableSubscriptions)
        {
            await HubResponses.ErrorAsync(context, StatusCodes.Status404NotFound, "The active subscriptions API is not enabled on this hub.").ConfigureAwait(false);
            return;
        }

        HubAuthorizationResult authorization = await authorizer.AuthorizeAsync(context.Request, HubRole.Subscriber, context.RequestAborted).ConfigureAwait(false);
        if (authorization.Status != HubAuthorizationStatus.Authorized)
        {
            await HubResponses.UnauthorizedAsync(context, authorization, "The subscriptions API needs a subscriber token.").ConfigureAwait(false);
            return;
        }

        if (!TrySplit(RawPath(context), out string? topic, out string? subscriberId))
        {
            await HubResponses.ErrorAsync(context, StatusCodes.Status404NotFound, "No such subscriptions resource.").ConfigureAwait(false);
            return;
        }

        string resourceId = topic is null ? subscriptions.BasePath
            : subscriberId is null ? $"{subscriptions.BasePath}/{Uri.EscapeDataString(topic)}"
            : subscriptions.IdOf(topic, subscriberId);
        if (authorization.Claims!.Subscribe is not { } allowed || !hub.Selectors.MatchesAny(allowed, resourceId))
        {
            await HubResponses.ErrorAsync(context, StatusCodes.Status403Forbidden, $"The token's mercure.subscribe selectors do not allow \"{resourceId}\".").ConfigureAwait(false);
            return;
        }

        // The newest id first, the list after: every subscription event up to that id happened
        // before the list was read, so the list plus the events after the id is the whole story.
        // On a shared history the id is the newest this node has followed, which may lag the
        // store: replaying a few events the list already reflects changes nothing.
        string lastEventId = hub.Log.LastEventId ?? HistoryCursor.Earliest;
        List<SubscriptionResource> found;
        try
        {
            found = await subscriptions.ListAsync(topic, subscriberId, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await HubResponses.UnavailableAsync(context, hub.Options.RetryAfter, $"The other nodes' subscriptions cannot be read now: {exception.Message}").ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/ld+json";
        if (subscriberId is not null)
        {
            if (found.Count == 0)
            {
                await HubResponses.ErrorAsync(context, StatusCodes.Status404NotFound, "No such active subscription.").ConfigureAwait(false);
                return;
            }

            await JsonSerializer.SerializeAsync(context.Response.Body, found[0] with { Context = ActiveSubscriptions.JsonLdContext, LastEventId = lastEventId }, HubJsonContext.Default.SubscriptionResource, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var collection = new SubscriptionCollection(ActiveSubscriptions.JsonLdContext, resourceId, "Subscriptions", lastEventId, found);
        await JsonSerializer.SerializeAsync(context.Response.Body, collection, HubJsonContext.Default.SubscriptionCollection, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The path as the client sent it: routing decodes <c>%2F</c> differently from other
    /// escapes, and a selector segment is full of both.</summary>
    private static string RawPath(HttpContext context)
    {
        string raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? string.Empty;
        int query = raw.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? raw : raw[..query];
    }

    /// <summary>Splits what follows the base path into an optional topic and subscriber.</summary>
    private bool TrySplit(string path, out string? topic, out string? subscriberId)
    {
        topic = subscriberId = null;
        int start = path.IndexOf(subscriptions.BasePath, StringComparison.Ordinal);
        if (start < 0)
        {
            return false;
        }

        string rest = path[(start + subscriptions.BasePath.Length)..].Trim('/');
        if (rest.Length == 0)
        {
            return true;
        }

        string[] segments = rest.Split('/');
        if (segments.Length > 2)
        {
            return false;
        }

        topic = Uri.UnescapeDataString(segments[0]);
        subscriberId = segments.Length == 2 ? Uri.UnescapeDataString(segments[1]) : null;
        return true;
    }
}
