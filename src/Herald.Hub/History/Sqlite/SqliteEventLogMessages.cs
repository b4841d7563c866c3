using Microsoft.Extensions.Logging;

namespace Herald.Hub.History.Sqlite;

/// <summary>What the durable history logs, as compiled logging delegates.</summary>
internal static partial class SqliteEventLogMessages
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Retention deleted {Count} updates from {Path}.")]
    public static partial void Evicted(ILogger logger, long count, string path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Retention failed on {Path}; it is tried again at the next interval.")]
    public static partial void RetentionFailed(ILogger logger, Exception exception, string path);
}
