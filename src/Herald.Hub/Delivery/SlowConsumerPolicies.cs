using Herald.Hub.Selectors;

namespace Herald.Hub.Delivery;

/// <summary>
/// Chooses a subscription's slow-consumer policy, once, when it subscribes: each subscribed
/// selector gets the policy of the first rule whose selector matches it (or the hub's default),
/// and the strictest of those wins (<see cref="SlowConsumerPolicy.Disconnect"/>, then
/// <see cref="SlowConsumerPolicy.DropOldest"/>, then <see cref="SlowConsumerPolicy.Latest"/>).
/// </summary>
/// <remarks>
/// One policy per subscription, not per update: a subscriber has one queue, and what gives way
/// when it is full (the connection, the oldest frames, superseded frames) is a property of that
/// queue. Deciding per update would cost a rule lookup on every delivery and still could not
/// disconnect for one topic and not for another. The strictest wins because a policy that loses
/// updates is safe only when every topic the subscriber asked for tolerates it: disconnecting
/// loses nothing (the client resumes), dropping the oldest loses updates but says so, and
/// conflating silently skips superseded values, which is right only for state.
/// </remarks>
internal sealed class SlowConsumerPolicies
{
    private readonly SlowConsumerPolicy _default;
    private readonly (TopicSelector Selector, SlowConsumerPolicy Policy)[] _rules;

    public SlowConsumerPolicies(HeraldOptions options, TopicSelectorCache selectors)
    {
        _default = options.SlowConsumerPolicy;
        _rules = [.. options.SlowConsumerRules.Select(rule => (selectors.Get(rule.Selector), rule.Policy))];
    }

    /// <summary>The policy of a subscription to <paramref name="subscribed"/>.</summary>
    public SlowConsumerPolicy For(IReadOnlyList<TopicSelector> subscribed)
    {
        if (_rules.Length == 0 || subscribed.Count == 0)
        {
            return _default;
        }

        SlowConsumerPolicy strictest = SlowConsumerPolicy.Latest;
        foreach (TopicSelector selector in subscribed)
        {
            SlowConsumerPolicy policy = PolicyOf(selector);
            if (policy < strictest)
            {
                strictest = policy;
            }
        }

        return strictest;
    }

    private SlowConsumerPolicy PolicyOf(TopicSelector subscribed)
    {
        foreach ((TopicSelector selector, SlowConsumerPolicy policy) in _rules)
        {
            if (selector.Matches(subscribed.Expression))
            {
                return policy;
            }
        }

        return _default;
    }
}
