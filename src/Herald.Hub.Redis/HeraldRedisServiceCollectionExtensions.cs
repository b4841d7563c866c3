using Herald.Hub.Hosting;
using Herald.Hub.Redis;
using Herald.Hub.Subscriptions;
using Microsoft.Extensions.DependencyInjection.Extensions;

#pragma warning disable IDE0130 // Extension methods live in the namespace of what they extend, so they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the Redis Streams history that lets several Herald hub nodes serve one stream.</summary>
public static class HeraldRedisServiceCollectionExtensions
{
    /// <summary>
    /// Makes the hub's history a <see cref="RedisEventLog"/>: options bound from the
    /// <c>Herald:Redis</c> configuration section, then <paramref name="configure"/>. It replaces any
    /// other history whether <c>AddHerald</c> is called before or after. Every node started with
    /// the same Redis and prefix serves the same stream, and the active subscriptions API lists
    /// the subscriptions of all of them.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Changes to the options after configuration is bound.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddHeraldRedis(this IServiceCollection services, Action<RedisEventLogOptions>? configure = null)
    {
        HistoryRegistration.Replace<RedisEventLog, RedisEventLogOptions>(
            services,
            RedisEventLogOptions.SectionName,
            configure,
            (_, options, time) => new RedisEventLog(options, time));

        // The active subscriptions API lists every node's subscribers, and announces the end of a
        // dead node's: the heartbeat runs as a hosted service.
        services.TryAddSingleton<RedisSubscriptionPresence>();
        services.RemoveAll<ISubscriptionPresence>();
        services.AddSingleton<ISubscriptionPresence>(provider => provider.GetRequiredService<RedisSubscriptionPresence>());
        services.AddHostedService(provider => provider.GetRequiredService<RedisSubscriptionPresence>());
        return services;
    }
}
