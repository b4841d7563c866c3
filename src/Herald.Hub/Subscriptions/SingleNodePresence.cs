using Herald.Hub.Delivery;

namespace Herald.Hub.Subscriptions;

/// <summary>A hub of one node: its own subscribers, which it lists from memory, are all there is.</summary>
internal sealed class SingleNodePresence : ISubscriptionPresence
{
    /// <summary>The one instance: it holds nothing.</summary>
    public static SingleNodePresence Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask AddAsync(Subscriber subscriber, IReadOnlyList<SubscriptionResource> resources) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask RemoveAsync(Subscriber subscriber, IReadOnlyList<SubscriptionResource> resources) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<SubscriptionResource>> ListOtherNodesAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<SubscriptionResource>>([]);
}
