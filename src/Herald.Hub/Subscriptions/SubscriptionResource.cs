using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.Hub.Subscriptions;

/// <summary>One active subscription as JSON-LD: the data of a subscription event, and an item of
/// the subscriptions API.</summary>
/// <param name="Context">The JSON-LD context; set on a standalone resource, omitted in a list.</param>
/// <param name="Id">The subscription's IRI, which is also the topic of its events.</param>
/// <param name="Type">Always <c>Subscription</c>.</param>
/// <param name="Topic">The topic selector subscribed to.</param>
/// <param name="Subscriber">The subscriber's IRI.</param>
/// <param name="Active">Whether the subscription is open.</param>
/// <param name="Payload">The subscriber token's <c>mercure.payload</c>, if any.</param>
/// <param name="LastEventId">On a resource served alone by the API, the newest id in history.</param>
internal sealed record SubscriptionResource(
    [property: JsonPropertyName("@context")] string? Context,
    string Id,
    string Type,
    string Topic,
    string Subscriber,
    bool Active,
    JsonElement? Payload,
    [property: JsonPropertyName("lastEventID")] string? LastEventId = null);
