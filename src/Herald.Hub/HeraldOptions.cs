using Herald.Hub.Authorization;
using Herald.Hub.Delivery;
using Herald.Hub.Limits;

namespace Herald.Hub;

/// <summary>
/// The hub's settings, bound from the <c>Herald</c> configuration section (so also from
/// <c>HERALD__...</c> environment variables). The defaults are the secure ones: no anonymous
/// subscribers and no cross-origin access until configured.
/// </summary>
public sealed class HeraldOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Herald";

    /// <summary>JWT keys and where tokens are read from.</summary>
    public HeraldAuthorizationOptions Authorization { get; set; } = new();

    /// <summary>Whether subscribers without a token may subscribe (they receive public updates only).</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Origins allowed to use the hub from a browser (CORS, with credentials).
    /// <c>*</c> allows any origin and is accepted only in <see cref="DevMode"/>.</summary>
    public IList<string> CorsOrigins { get; } = [];

    /// <summary>How long a subscription may stay silent before the hub writes a heartbeat comment.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How many updates the in-memory history keeps for resuming subscribers.</summary>
    public int HistorySize { get; set; } = 10_000;

    /// <summary>The most topic selectors one subscription may carry; past it, 400.</summary>
    public int MaxSelectorsPerSubscription { get; set; } = 1_000;

    /// <summary>The largest publish request body in bytes; past it, 413.</summary>
    public long MaxPublishBodySize { get; set; } = 1024 * 1024;

    /// <summary>How many frames may wait for one subscriber; what happens to a subscriber whose
    /// queue overflows is its <see cref="SlowConsumerPolicy"/> (by default it is disconnected and
    /// resumes with its last event id), so it never slows anyone else.</summary>
    public int SubscriberQueueCapacity { get; set; } = 1_024;

    /// <summary>What gives way when a subscriber's queue is full, for subscriptions no rule of
    /// <see cref="SlowConsumerRules"/> covers: <see cref="SlowConsumerPolicy.Disconnect"/> by default.</summary>
    public SlowConsumerPolicy SlowConsumerPolicy { get; set; } = SlowConsumerPolicy.Disconnect;

    /// <summary>Slow-consumer policies by topic selector. Each selector a subscription names gets
    /// the policy of the first rule matching it (or <see cref="SlowConsumerPolicy"/>), and the
    /// subscription gets the strictest of those: <c>Disconnect</c>, then <c>DropOldest</c>, then
    /// <c>Latest</c>.</summary>
    public IList<SlowConsumerRule> SlowConsumerRules { get; } = [];

    /// <summary>The most subscribers connected at once; past it, 503 with <c>Retry-After</c>.
    /// 0 caps only the subscribers holding a connection of their own (HTTP/1.x), a margin below
    /// the process's file-descriptor limit so publishers keep room; HTTP/2 streams share their
    /// connections and are then bounded by Kestrel's streams per connection.</summary>
    public int MaxSubscribers { get; set; }

    /// <summary>What the <c>Retry-After</c> header of a 503 says.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a subscription lives at most; each one's deadline is drawn between 80%
    /// and 100% of it, so load rebalances and tokens are checked again. Zero disables it.</summary>
    public TimeSpan MaxSubscriptionLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Whether the active-subscriptions API and subscription events are on.</summary>
    public bool EnableSubscriptions { get; set; }

    /// <summary>The most token streams producing at once; past it, opening one answers 503.</summary>
    public int MaxActiveStreams { get; set; } = 10_000;

    /// <summary>How long the hub remembers an ended token stream's status (for cancels); its
    /// events stay replayable as long as the history keeps them.</summary>
    public TimeSpan StreamTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a streaming publish may send nothing (not even a comment) before its
    /// stream ends as an error; zero for never.</summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Limits per client: subscriptions and publish rates per address and per token,
    /// and the size of one event.</summary>
    public HeraldLimitsOptions Limits { get; set; } = new();

    /// <summary>How many delivery-path diagnostics streams (<c>/.well-known/herald/diagnostics</c>,
    /// read by <c>herald doctor</c>) may run at once; past it, 429. Each is a fixed script of a
    /// few seconds plus its idle gap (at most a minute) and about 20 KiB. 0 turns the endpoint off (404).</summary>
    public int MaxDiagnosticsStreams { get; set; } = 4;
    /// <summary>How long a graceful stop spends closing subscriptions: each is sent a reconnect
    /// delay (<c>retry:</c>) and closed at its own moment, spread evenly (with jitter) over this
    /// window, so a node's clients do not all reconnect at once. Meanwhile readiness reports
    /// unhealthy and new subscriptions and publishes answer 503. Zero closes them all at once.</summary>
    public TimeSpan DrainWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The shortest reconnect delay a drained subscription is sent; each one's
    /// <c>retry:</c> is drawn between it and twice it, so reconnections are spread out too.</summary>
    public TimeSpan DrainReconnectDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Development mode: allows the <c>*</c> CORS origin. Never for production.</summary>
    public bool DevMode { get; set; }
}
