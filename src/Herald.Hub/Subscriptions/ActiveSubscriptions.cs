using System.Text.Json;
using Herald.Hub.Delivery;
using Herald.Hub.Selectors;

namespace Herald.Hub.Subscriptions;

/// <summary>
/// The spec's active subscriptions: when enabled, each subscriber coming or going publishes one
/// private update per topic selector, on a topic under the hub's reserved namespace, so
/// authorized clients can follow presence; and the same resources are listed by the API.
/// </summary>
internal sealed class ActiveSubscriptions(HeraldHub hub, string hubPath)
{
    /// <summary>The JSON-LD context Mercure hubs use.</summary>
    public const string JsonLdContext = "https://mercure.rocks/";

    /// <summary>The path under which subscriptions are listed and their events published.</summary>
    public string BasePath { get; } = hubPath + "/subscriptions";

    /// <summary>Publishes the subscriber's subscription events, when the feature is on.</summary>
    public async ValueTask AnnounceAsync(Subscriber subscriber, bool active)
    {
        if (!hub.Options.EnableSubscriptions)
        {
            return;
        }

        foreach (TopicSelector selector in subscriber.Selectors)
        {
            SubscriptionResource resource = ResourceOf(subscriber, selector, active) with { Context = JsonLdContext };
            string data = JsonSerializer.Serialize(resource, HubJsonContext.Default.SubscriptionResource);
            await hub.PublishAsync(new Update([resource.Id], data, isPrivate: true), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The subscriptions open now, optionally only those for one selector or subscriber.</summary>
    public List<SubscriptionResource> List(string? topic, string? subscriberId)
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

        return list;
    }

    /// <summary>The IRI of a subscription: the base path, then the selector and the subscriber,
    /// each percent-encoded as one path segment.</summary>
    public string IdOf(string topic, string subscriberId) =>
        $"{BasePath}/{Uri.EscapeDataString(topic)}/{Uri.EscapeDataString(subscriberId)}";

    private SubscriptionResource ResourceOf(Subscriber subscriber, TopicSelector selector, bool active) =>
        new(null, IdOf(selector.Expression, subscriber.Id), "Subscription", selector.Expression, subscriber.Id, active, subscriber.Payload);
}
