using System.Text.Json;
using Herald.Hub.Delivery;
using Herald.Hub.Selectors;

namespace Herald.Hub.Subscriptions;

/// <summary>
/// The spec's active subscriptions: when enabled, each subscriber coming or going publishes one
/// private update per topic selector, on a topic under the hub's reserved namespace, so
/// authorized clients can follow presence; and the same resources are listed by the API, this
/// node's from memory and the other nodes' from the <see cref="ISubscriptionPresence"/>.
/// </summary>
internal sealed class ActiveSubscriptions(HeraldHub hub, string hubPath, ISubscriptionPresence presence)
{
    /// <summary>The JSON-LD context Mercure hubs use.</summary>
    public const string JsonLdContext = "https://mercure.rocks/";

    /// <summary>The path under which subscriptions are listed and their events published.</summary>
    public string BasePath { get; } = hubPath + "/subscriptions";

    /// <summary>Publishes the subscriber's subscription events, when the feature is on; the
    /// presence records it before its <c>active</c> events and forgets it before the others.</summary>
    public async ValueTask AnnounceAsync(Subscriber subscriber, bool active)
    {
        if (!hub.Options.EnableSubscriptions)
        {
            return;
        }

        var resources = new List<SubscriptionResource>(subscriber.Selectors.Count);
        foreach (TopicSelector selector in subscriber.Selectors)
        {
            resources.Add(ResourceOf(subscriber, selector, active: true));
        }

        if (active)
        {
            await presence.AddAsync(subscriber, resources).ConfigureAwait(false);
        }
        else
        {
            await presence.RemoveAsync(subscriber, resources).ConfigureAwait(false);
        }

        foreach (SubscriptionResource resource in resources)
        {
            await hub.PublishAsync(EventOf(resource with { Active = active }), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The subscription event for <paramref name="resource"/>: a private update on the
    /// subscription's IRI. Also how a node announces the end of a dead node's subscriptions.</summary>
    public static Update EventOf(SubscriptionResource resource)
    {
        string data = JsonSerializer.Serialize(resource with { Context = JsonLdContext, LastEventId = null }, HubJsonContext.Default.SubscriptionResource);
        return new Update([resource.Id], data, isPrivate: true);
    }

    /// <summary>The subscriptions open now on every node, optionally only those for one selector
    /// or subscriber.</summary>
    public async ValueTask<List<SubscriptionResource>> ListAsync(string? topic, string? subscriberId, CancellationToken cancellationToken)
    {
        var list = new List<SubscriptionResource>();
        foreach (Subscriber subscriber in hub.Subscribers)
        {
            if (subscriberId is not null && subscriber.Id != subscriberId)
            {
                continue;
            }

            foreach (TopicSelector selector in subscriber.Selectors)
            {
                if (topic is null || selector.Expression == topic)
                {
                    list.Add(ResourceOf(subscriber, selector, active: true));
                }
            }
        }

        foreach (SubscriptionResource resource in await presence.ListOtherNodesAsync(cancellationToken).ConfigureAwait(false))
        {
            if ((subscriberId is null || resource.Subscriber == subscriberId) && (topic is null || resource.Topic == topic))
            {
                list.Add(resource);
            }
        }

        return list;
    }

    /// <summary>The IRI of a subscription: the base path, then the selector and the subscriber,
    /// each percent-encoded as one path segment.</summary>
    public string IdOf(string topic, string subscriberId) =>
        $"{BasePath}/{Uri.EscapeDataString(topic)}/{Uri.EscapeDataString(subscriberId)}";

    private SubscriptionResource ResourceOf(Subscriber subscriber, TopicSelector selector, bool active) =>
        new(null, IdOf(selector.Expression, subscriber.Id), "Subscription", selector.Expression, subscriber.Id, active, subscriber.Payload);
}
