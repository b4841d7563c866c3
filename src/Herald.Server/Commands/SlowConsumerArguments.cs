using Herald.Hub;
using Herald.Hub.Delivery;

namespace Herald.Server.Commands;

/// <summary>
/// <c>herald serve</c>'s <c>--slow-consumer POLICY</c> and repeatable
/// <c>--slow-consumer-rule SELECTOR=POLICY</c>: policy names as an operator writes them
/// (<c>disconnect</c>, <c>drop-oldest</c>, <c>latest</c>), added to what configuration set.
/// </summary>
internal sealed class SlowConsumerArguments
{
    /// <summary>The names the flags accept, for help and error text.</summary>
    public const string Names = "disconnect, drop-oldest or latest";

    private SlowConsumerArguments(SlowConsumerPolicy? policy, List<SlowConsumerRule> rules)
    {
        Policy = policy;
        Rules = rules;
    }

    /// <summary>The hub's default policy, when the flag was given.</summary>
    public SlowConsumerPolicy? Policy { get; }

    /// <summary>The rules, in the order given (the first matching rule wins).</summary>
    public IReadOnlyList<SlowConsumerRule> Rules { get; }

    /// <summary>Reads the flags' values; null and <paramref name="problem"/> for a value that is not
    /// a policy or a rule.</summary>
    public static SlowConsumerArguments? Parse(string? policy, IReadOnlyList<string> rules, out string? problem)
    {
        problem = null;
        SlowConsumerPolicy? parsedPolicy = null;
        if (policy is not null)
        {
            if (!TryParsePolicy(policy, out SlowConsumerPolicy value))
            {
                problem = $"--slow-consumer must be {Names}; got '{policy}'.";
                return null;
            }

            parsedPolicy = value;
        }

        var parsedRules = new List<SlowConsumerRule>(rules.Count);
        foreach (string rule in rules)
        {
            // The last '=': a topic may hold one (a query string), a policy name never does.
            int equals = rule.LastIndexOf('=');
            if (equals <= 0 || !TryParsePolicy(rule[(equals + 1)..], out SlowConsumerPolicy value))
            {
                problem = $"--slow-consumer-rule must be SELECTOR=POLICY with POLICY {Names}; got '{rule}'.";
                return null;
            }

            parsedRules.Add(new SlowConsumerRule { Selector = rule[..equals], Policy = value });
        }

        return new SlowConsumerArguments(parsedPolicy, parsedRules);
    }

    /// <summary>Sets the default (when given) and appends the rules after any from configuration.</summary>
    public void ApplyTo(HeraldOptions options)
    {
        if (Policy is { } policy)
        {
            options.SlowConsumerPolicy = policy;
        }

        foreach (SlowConsumerRule rule in Rules)
        {
            options.SlowConsumerRules.Add(rule);
        }
    }

    private static bool TryParsePolicy(string name, out SlowConsumerPolicy policy)
    {
        switch (name.Trim().ToLowerInvariant())
        {
            case "disconnect":
                policy = SlowConsumerPolicy.Disconnect;
                return true;
            case "drop-oldest" or "dropoldest":
                policy = SlowConsumerPolicy.DropOldest;
                return true;
            case "latest":
                policy = SlowConsumerPolicy.Latest;
                return true;
            default:
                policy = default;
                return false;
        }
    }
}
