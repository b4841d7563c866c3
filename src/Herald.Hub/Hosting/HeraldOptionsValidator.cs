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

        if (options.DrainWindow < TimeSpan.Zero || options.DrainReconnectDelay < TimeSpan.Zero)
        {
            failures.Add("DrainWindow and DrainReconnectDelay must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
