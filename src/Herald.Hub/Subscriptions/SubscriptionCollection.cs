using System.Text.Json.Serialization;

namespace Herald.Hub.Subscriptions;

/// <summary>The subscriptions API's list, as JSON-LD.</summary>
/// <param name="Context">The JSON-LD context.</param>
/// <param name="Id">The IRI of this list (the request's path).</param>
/// <param name="Type">Always <c>Subscriptions</c>.</param>
/// <param name="LastEventId">The newest id in history, or <c>earliest</c>: subscribe with it to miss
/// no subscription event after this snapshot.</param>
/// <param name="Subscriptions">The active subscriptions.</param>
internal sealed record SubscriptionCollection(
    [property: JsonPropertyName("@context")] string Context,
    string Id,
    string Type,
    [property: JsonPropertyName("lastEventID")] string LastEventId,
    IReadOnlyList<SubscriptionResource> Subscriptions);
