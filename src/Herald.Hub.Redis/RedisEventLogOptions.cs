namespace Herald.Hub.Redis;

/// <summary>
/// The settings of the Redis Streams history, bound from the <c>Herald:Redis</c> configuration
/// section (so also from <c>HERALD__REDIS__...</c> environment variables).
/// </summary>
public sealed class RedisEventLogOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Herald:Redis";

    /// <summary>
    /// Where Redis is: a URL (<c>redis://[user:password@]host:port[/database]</c>, <c>rediss://</c>
    /// for TLS) or a StackExchange.Redis configuration string (<c>host:port,password=...</c>).
    /// Redis 7.0 or newer.
    /// </summary>
    public string Configuration { get; set; } = "redis://127.0.0.1:6379";

    /// <summary>What every key of the hub starts with. Hubs with the same prefix on the same Redis
    /// serve one stream; another prefix is another hub. The keys share one hash slot, so the
    /// append script also runs on Redis Cluster.</summary>
    public string Prefix { get; set; } = "herald";

    /// <summary>About how many updates the stream retains: each append trims it with
    /// <c>MAXLEN ~</c>, so Redis may keep somewhat more until a whole node of the stream can go.</summary>
    public long MaxLength { get; set; } = 1_000_000;

    /// <summary>How many of the newest updates each node also keeps in memory, so recent resumes
    /// and replays do not read Redis.</summary>
    public int RecentCapacity { get; set; } = 10_000;

    /// <summary>The most updates one blocking read of the stream returns.</summary>
    public int FollowBatch { get; set; } = 1_024;

    /// <summary>How long one blocking read of the stream waits for new updates before the node
    /// asks again; also how soon it notices a Redis that stopped answering.</summary>
    public TimeSpan FollowWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a command may take before it fails (a publish then answers 503).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a node tells Redis it is alive, and looks for nodes that stopped doing
    /// so (for the active subscriptions API).</summary>
    public TimeSpan PresenceHeartbeat { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a node may go without a heartbeat before it counts as dead: its
    /// subscriptions leave the list at once, and a surviving node announces their end. Three
    /// heartbeats by default, so one late heartbeat is no death.</summary>
    public TimeSpan PresenceTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
