namespace Herald.Hub.Delivery;

/// <summary>
/// A slow-consumer policy for the subscriptions to some topics: a subscribed selector that
/// <see cref="Selector"/> matches gets <see cref="Policy"/>. Bound from configuration as
/// <c>Herald:SlowConsumerRules:0:Selector</c> and <c>Herald:SlowConsumerRules:0:Policy</c>.
/// </summary>
public sealed class SlowConsumerRule
{
    /// <summary>A topic selector: <c>*</c>, an exact topic, or a URI template. It matches a
    /// subscribed selector the way a token's <c>mercure.subscribe</c> selector authorizes one: a
    /// template matches the topics it expands to and itself.</summary>
    public string Selector { get; set; } = string.Empty;

    /// <summary>The policy for subscribed selectors it matches.</summary>
    public SlowConsumerPolicy Policy { get; set; }
}
