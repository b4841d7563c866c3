using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Herald.Hub.Delivery;
using Herald.Hub.Subscriptions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Herald.Hub.Redis;

/// <summary>
/// The active subscriptions of every hub node sharing a <see cref="RedisEventLog"/>: each node
/// keeps its subscriptions in a Redis hash of its own and beats a heartbeat; the list shows the
/// nodes alive now. A node silent for <see cref="RedisEventLogOptions.PresenceTimeout"/> is dead:
/// its subscriptions leave the list at once, and the first surviving node to look claims it
/// (atomically, so exactly one does), publishes the <c>active: false</c> events its subscribers
/// never sent, and deletes them. The scripts are in <see cref="PresenceScripts"/>.
/// </summary>
internal sealed class RedisSubscriptionPresence : BackgroundService, ISubscriptionPresence
{
    private readonly RedisEventLog _log;
    private readonly HeraldHub _hub;
    private readonly RedisEventLogOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Subscriber, IReadOnlyList<SubscriptionResource>> _local = new();
    private readonly RedisKey[] _nodes;
    private readonly RedisKey[] _claimKeys;
    private readonly RedisKey _ownHash;
    private readonly string _hashPrefix;
    private readonly string _claimPrefix;
    private readonly string _timeout;
    private readonly string _lease;
    private bool _registered;
    private bool _revived;

    /// <summary>Creates the presence of this node.</summary>
    public RedisSubscriptionPresence(RedisEventLog log, HeraldHub hub, IOptions<RedisEventLogOptions> options, ILogger<RedisSubscriptionPresence> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _log = log;
        _hub = hub;
        _options = options.Value;
        _logger = logger;
        string tag = log.KeyTag;
        _nodes = [tag + ":nodes"];
        _claimKeys = [tag + ":nodes", tag + ":reaping", tag + ":claims"];
        _hashPrefix = tag + ":subs:";
        _claimPrefix = tag + ":reaping:";
        _ownHash = _hashPrefix + NodeId;
        _timeout = Milliseconds(_options.PresenceTimeout);

        // A claimant that dies mid-announcement leaves its claim to another after this long.
        _lease = Milliseconds(_options.PresenceTimeout * 4);
    }

    /// <summary>This node's id in Redis: new for every process, so a restarted node never takes
    /// over the subscriptions of its previous life (they are announced ended instead).</summary>
    public string NodeId { get; } = Guid.NewGuid().ToString("N");

    private bool Enabled => _hub.Options.EnableSubscriptions;

    /// <inheritdoc />
    public async ValueTask AddAsync(Subscriber subscriber, IReadOnlyList<SubscriptionResource> resources)
    {
        _local[subscriber] = resources;
        await _log.Database.HashSetAsync(_ownHash, EntriesOf(resources)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask RemoveAsync(Subscriber subscriber, IReadOnlyList<SubscriptionResource> resources)
    {
        _local.TryRemove(subscriber, out _);
        await _log.Database.HashDeleteAsync(_ownHash, FieldsOf(resources)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<SubscriptionResource>> ListOtherNodesAsync(CancellationToken cancellationToken)
    {
        RedisResult result = await _log.Database.ScriptEvaluateAsync(PresenceScripts.ListOthers, _nodes, [NodeId, _hashPrefix]).ConfigureAwait(false);
        var values = (RedisValue[])result!;
        var list = new List<SubscriptionResource>(values.Length);
        foreach (RedisValue value in values)
        {
            list.Add(Read(value));
        }

        return list;
    }

    /// <summary>Beats once before the hub takes requests, so its first subscribers are listed at once.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Enabled)
        {
            await TryBeatAsync().ConfigureAwait(false);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every heartbeat interval: the heartbeat, then the claim of any dead node. Stopping
    /// the service stops the heartbeat and nothing else, so the other nodes see this one die.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.PresenceHeartbeat);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (await TryBeatAsync().ConfigureAwait(false))
                {
                    await TryReapAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> TryBeatAsync()
    {
        try
        {
            RedisResult listed = await _log.Database.ScriptEvaluateAsync(PresenceScripts.Heartbeat, _nodes, [NodeId, _timeout]).ConfigureAwait(false);
            if ((int)listed == 0 && _registered)
            {
                RedisPresenceMessages.Revived(_logger, NodeId);
                _revived = true;
            }

            _registered = true;
            if (_revived && !await IsClaimedAsync().ConfigureAwait(false))
            {
                // Only once the claimant has announced the ends (its claim is gone): announced
                // sooner, this node's "active" could land before those ends and be undone by them.
                _revived = false;
                await AnnounceAgainAsync().ConfigureAwait(false);
            }

            return true;
        }
#pragma warning disable CA1031 // Redis out of reach: the next beat tries again (and a long outage makes this node dead to the others).
        catch (Exception exception)
#pragma warning restore CA1031
        {
            RedisPresenceMessages.HeartbeatFailed(_logger, exception, NodeId);
            return false;
        }
    }

    /// <summary>
    /// This node was declared dead while alive (a pause, an outage longer than the timeout), and a
    /// survivor announced the end of its subscriptions: they are recorded and announced again. A
    /// subscriber that left meanwhile is forgotten and announced ended once more, so the last
    /// event about it is the true one.
    /// </summary>
    private async Task AnnounceAgainAsync()
    {
        foreach ((Subscriber subscriber, IReadOnlyList<SubscriptionResource> resources) in _local.ToArray())
        {
            await _log.Database.HashSetAsync(_ownHash, EntriesOf(resources)).ConfigureAwait(false);
            await PublishAsync(resources, active: true).ConfigureAwait(false);
            if (!_local.ContainsKey(subscriber))
            {
                await _log.Database.HashDeleteAsync(_ownHash, FieldsOf(resources)).ConfigureAwait(false);
                await PublishAsync(resources, active: false).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Whether a claim on this node's earlier life is still being announced.</summary>
    private async Task<bool> IsClaimedAsync()
    {
        string prefix = NodeId + ":";
        foreach (RedisValue claim in await _log.Database.SortedSetRangeByRankAsync(_claimKeys[1]).ConfigureAwait(false))
        {
            if (claim.ToString().StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private async Task TryReapAsync()
    {
        try
        {
            IDatabase database = _log.Database;
            var claims = (RedisValue[])(await database.ScriptEvaluateAsync(PresenceScripts.Claim, _claimKeys, [_hashPrefix, _claimPrefix, _lease]).ConfigureAwait(false))!;
            foreach (RedisValue claim in claims)
            {
                RedisKey key = _claimPrefix + claim;
                RedisValue[] values = await database.HashValuesAsync(key).ConfigureAwait(false);
                string name = claim.ToString();
                RedisPresenceMessages.Reaping(_logger, name, values.Length);
                var resources = new List<SubscriptionResource>(values.Length);
                foreach (RedisValue value in values)
                {
                    resources.Add(Read(value));
                }

                await PublishAsync(resources, active: false).ConfigureAwait(false);

                // Deleted only once announced: a claimant dying before this leaves the claim to
                // another node when its lease runs out.
                await database.KeyDeleteAsync(key).ConfigureAwait(false);
                await database.SortedSetRemoveAsync(_claimKeys[1], claim).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // Redis out of reach: the claim is kept or retaken on a later beat.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            RedisPresenceMessages.HeartbeatFailed(_logger, exception, NodeId);
        }
    }

    private async Task PublishAsync(IReadOnlyList<SubscriptionResource> resources, bool active)
    {
        foreach (SubscriptionResource resource in resources)
        {
            await _hub.PublishAsync(ActiveSubscriptions.EventOf(resource with { Active = active }), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static HashEntry[] EntriesOf(IReadOnlyList<SubscriptionResource> resources)
    {
        var entries = new HashEntry[resources.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = new HashEntry(resources[i].Id, JsonSerializer.Serialize(resources[i], HubJsonContext.Default.SubscriptionResource));
        }

        return entries;
    }

    private static RedisValue[] FieldsOf(IReadOnlyList<SubscriptionResource> resources)
    {
        var fields = new RedisValue[resources.Count];
        for (int i = 0; i < fields.Length; i++)
        {
            fields[i] = resources[i].Id;
        }

        return fields;
    }

    private static SubscriptionResource Read(RedisValue value) =>
        JsonSerializer.Deserialize((string)value!, HubJsonContext.Default.SubscriptionResource)
        ?? throw new FormatException("A subscription in Redis is not one the hub wrote: is another application using its keys?");

    private static string Milliseconds(TimeSpan span) =>
        ((long)Math.Max(1, span.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
}
