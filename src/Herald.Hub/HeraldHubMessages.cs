using Microsoft.Extensions.Logging;

namespace Herald.Hub;

/// <summary>What the hub logs about following a shared history.</summary>
internal static partial class HeraldHubMessages
{
    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Cannot read the shared history after sequence {After}; subscribers stay connected and are caught up when it returns.")]
    public static partial void SharedLogUnreachable(ILogger logger, Exception exception, long after);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Following the shared history from sequence {After}.")]
    public static partial void SharedLogFollowed(ILogger logger, long after);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "The shared history no longer holds updates {First} to {Last}, which this hub never delivered (trimmed while it could not read). Every subscription is closed so clients resume and are told of the gap.")]
    public static partial void SharedLogGap(ILogger logger, long first, long last);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "The shared history came back at sequence {Last}, behind the {Delivered} this hub delivered: it lost updates. Every subscription is closed so clients resume from what it holds.")]
    public static partial void SharedLogLost(ILogger logger, long last, long delivered);
}
