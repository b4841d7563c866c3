using Herald.Hub.Delivery;

namespace Herald.Hub.Subscriptions;

/// <summary>
/// Where the subscriptions open on other hub nodes are known, for the active subscriptions API:
/// a node lists its own subscribers from memory and the others' from here. A node records each of
/// its subscribers here before the subscriber's <c>active</c> events are published and forgets it
/// before its <c>active: false</c> events are, so a list read after the history's newest id is
/// taken, followed by the events after that id, never misses a subscription nor keeps a closed one.
/// </summary>
internal interface ISubscriptionPresence
{
    /// <summary>Records this node's <paramref name="subscriber"/> and its subscriptions.</summary>
    /// <param name="subscriber">The subscriber.</param>
    /// <param name="resources">Its subscriptions, one per selector, <c>active</c>.</param>
    ValueTask AddAsync(Subscriber subscriber, IReadOnlyList<SubscriptionResource> resources);

    /// <summary>Forgets this node's <paramref name="subscriber"/>.</summary>
    /// <param name="subscriber">The subscriber.</param>
    /// <param name="resources">Its subscriptions, as they were added.</param>
    ValueTask RemoveAsync(Subscriber subscriber, IReadOnlyList<SubscriptionResource> resources);

    /// <summary>The subscriptions open on the other live nodes; none on a hub of one node.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    ValueTask<IReadOnlyList<SubscriptionResource>> ListOtherNodesAsync(CancellationToken cancellationToken);
}
