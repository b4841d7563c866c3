namespace Herald.Hub.Redis;

/// <summary>
/// The Lua scripts of the cluster-wide active subscriptions (<see cref="RedisSubscriptionPresence"/>).
/// Each is atomic against every node's, and all take the time from Redis (<c>TIME</c>), so nodes
/// whose clocks differ still agree on who is alive.
/// </summary>
/// <remarks>
/// Keys, all under the hub's hash tag: <c>nodes</c>, a sorted set of node ids scored by the time
/// (Unix milliseconds) until which each counts as alive; <c>subs:{node}</c>, a hash per node of
/// its subscriptions (field the subscription's IRI, value its JSON); <c>reaping</c>, a sorted set
/// of claims on dead nodes scored by the claim's lease; <c>reaping:{claim}</c>, a dead node's
/// subscriptions while its claimant announces their end; <c>claims</c>, the counter naming claims.
/// The per-node keys are named from arguments rather than declared, which a single Redis allows;
/// on Redis Cluster they share the declared keys' slot through the hash tag.
/// </remarks>
internal static class PresenceScripts
{
    /// <summary>Redis's clock in Unix milliseconds, as the first lines of every script.</summary>
    private const string Now = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        """;

    /// <summary>Keys: nodes. Arguments: the node, the timeout in milliseconds. Returns 1 when the
    /// node was still listed alive, 0 when it was not (its first heartbeat, or it was declared dead
    /// and claimed meanwhile).</summary>
    public const string Heartbeat = Now + """
        local had = redis.call('ZSCORE', KEYS[1], ARGV[1])
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
        if had then return 1 end
        return 0
        """;

    /// <summary>Keys: nodes. Arguments: the asking node, the prefix of the per-node hashes.
    /// Returns the subscriptions' JSON of every other node alive now: a node past its time is
    /// left out at once, before anyone claims it.</summary>
    public const string ListOthers = Now + """
        local out = {}
        for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')) do
          if node ~= ARGV[1] then
            for _, value in ipairs(redis.call('HVALS', ARGV[2] .. node)) do out[#out + 1] = value end
          end
        end
        return out
        """;

    /// <summary>
    /// Keys: nodes, reaping, claims. Arguments: the prefix of the per-node hashes, the prefix of
    /// the claimed hashes, the lease in milliseconds. Claims every node past its time: removes it
    /// from the living (so exactly one caller gets it) and moves its subscriptions to a claim of
    /// their own, which the caller announces and deletes; a node that comes back starts a fresh
    /// hash. Also takes over claims whose lease ran out (their claimant died before finishing).
    /// Returns the claims.
    /// </summary>
    public const string Claim = Now + """
        local claimed = {}
        local lease = now + tonumber(ARGV[3])
        for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 16)) do
          redis.call('ZREM', KEYS[1], node)
          if redis.call('EXISTS', ARGV[1] .. node) == 1 then
            local claim = node .. ':' .. redis.call('INCR', KEYS[3])
            redis.call('RENAME', ARGV[1] .. node, ARGV[2] .. claim)
            redis.call('ZADD', KEYS[2], lease, claim)
            claimed[#claimed + 1] = claim
          end
        end
        for _, claim in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 16)) do
          redis.call('ZADD', KEYS[2], lease, claim)
          claimed[#claimed + 1] = claim
        end
        return claimed
        """;
}
