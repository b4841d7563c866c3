using Microsoft.Extensions.Logging;

namespace Herald.Hub.Redis;

/// <summary>What the cluster-wide active subscriptions log.</summary>
internal static partial class RedisPresenceMessages
{
    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Cannot reach Redis for the node heartbeat of {Node}; it retries on the next beat.")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception, string node);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Node {Node} was declared dead by another node (no heartbeat in time); its subscriptions are announced again.")]
    public static partial void Revived(ILogger logger, string node);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Claimed {Claim} of a dead node: announcing the end of its {Count} subscriptions.")]
    public static partial void Reaping(ILogger logger, string claim, int count);
}
