using Herald.Hub.Delivery;
using Herald.Hub.Selectors;
using Microsoft.Extensions.Options;

namespace Herald.Hub.Hosting;

/// <summary>Refuses settings that would make the hub insecure or unusable, at start-up rather
/// than on the first request.</summary>
internal sealed class HeraldOptionsValidator : IValidateOptions<HeraldOptions>
{
    public ValidateOptionsResult Validate(string? name, HeraldOptions options)
    {
        var failures = new List<string>();
        if (!options.DevMode && (options.CorsOrigins.Contains("*") || options.Authorization.PublishOrigins.Contains("*")))
        {
            failures.Add("The CORS origin '*' is allowed only in development mode; list the origins explicitly.");
        }

        if (options.HeartbeatInterval <= TimeSpan.Zero)
        {
            failures.Add("HeartbeatInterval must be positive.");
        }

        if (options.HistorySize < 0)
        {
            failures.Add("HistorySize must not be negative.");
        }

        if (options.MaxSelectorsPerSubscription <= 0 || options.SubscriberQueueCapacity <= 0 || options.MaxPublishBodySize <= 0)
        {
            failures.Add("MaxSelectorsPerSubscription, SubscriberQueueCapacity and MaxPublishBodySize must be positive.");
        }

        if (options.MaxSubscribers < 0 || options.MaxSubscriptionLifetime < TimeSpan.Zero || options.RetryAfter < TimeSpan.Zero)
        {
            failures.Add("MaxSubscribers, MaxSubscriptionLifetime and RetryAfter must not be negative.");
        }

        if (options.Limits is not { } limits)
        {
            failures.Add("Limits must be set.");
        }
        else if (limits.MaxSubscribersPerIp < 0 || limits.PublishesPerSecondPerToken < 0 || limits.PublishesPerSecondPerIp < 0 || limits.MaxEventSize <= 0)
        {
            failures.Add("Limits: MaxSubscribersPerIp, PublishesPerSecondPerToken and PublishesPerSecondPerIp must not be negative (0 turns one off), and MaxEventSize must be positive.");
        }

        if (options.MaxDiagnosticsStreams < 0)
        {
            failures.Add("MaxDiagnosticsStreams must not be negative (0 turns diagnostics off).");
        }

        ValidateSlowConsumerPolicies(options, failures);
        if (options.DrainWindow < TimeSpan.Zero || options.DrainReconnectDelay < TimeSpan.Zero)
        {
            failures.Add("DrainWindow and DrainReconnectDelay must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateSlowConsumerPolicies(HeraldOptions options, List<string> failures)
    {
        if (!Enum.IsDefined(options.SlowConsumerPolicy))
        {
            failures.Add($"SlowConsumerPolicy must be Disconnect, DropOldest or Latest; got {options.SlowConsumerPolicy}.");
        }

        for (int i = 0; i < options.SlowConsumerRules.Count; i++)
        {
            SlowConsumerRule rule = options.SlowConsumerRules[i];
            if (string.IsNullOrEmpty(rule.Selector))
            {
                failures.Add($"SlowConsumerRules[{i}] needs a Selector (*, a topic or a URI template).");
            }
            else if (!TopicSelector.TryParse(rule.Selector, out _, out string? error))
            {
                failures.Add($"SlowConsumerRules[{i}]: invalid selector \"{rule.Selector}\": {error}");
            }

            if (!Enum.IsDefined(rule.Policy))
            {
                failures.Add($"SlowConsumerRules[{i}]: Policy must be Disconnect, DropOldest or Latest; got {rule.Policy}.");
            }
        }
    }
}
