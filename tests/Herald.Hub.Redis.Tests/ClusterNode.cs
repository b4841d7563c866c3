using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Hub.Redis.Tests;

/// <summary>A hub node of a cluster on one Redis: a real Kestrel host whose history is the shared
/// stream, with short waits so node deaths and follows are seen within a test's bounds.</summary>
internal static class ClusterNode
{
    /// <summary>How long a node may go without a heartbeat before the others count it dead: well
    /// above the heartbeat, so a loaded test machine does not declare a live node dead.</summary>
    public static readonly TimeSpan PresenceTimeout = TimeSpan.FromSeconds(2);

    public static Task<HubHost> StartAsync(RedisServer redis, Action<HeraldOptions>? configure = null) =>
        HubHost.StartAsync(
            options =>
            {
                options.AllowAnonymous = true;
                options.EnableSubscriptions = true;
                configure?.Invoke(options);
            },
            services => services.AddHeraldRedis(redisOptions =>
            {
                redisOptions.Configuration = redis.Url;
                redisOptions.FollowWait = TimeSpan.FromMilliseconds(200);
                redisOptions.PresenceHeartbeat = TimeSpan.FromMilliseconds(200);
                redisOptions.PresenceTimeout = PresenceTimeout;
            }));
}
