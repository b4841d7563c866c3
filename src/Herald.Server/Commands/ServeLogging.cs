using Microsoft.Extensions.Logging;

namespace Herald.Server.Commands;

/// <summary>The console log of <c>herald serve</c>: its format, its level, and what stays out of it.</summary>
internal static class ServeLogging
{
    /// <summary>
    /// Sets the format and Herald's level (over configuration, as every flag wins). ASP.NET Core's
    /// own categories stay at Warning: their per-request and per-connection lines would flood the
    /// log in a reconnect storm, and its hosting diagnostics are off for good, because their
    /// "request starting" line carries the whole URL, with a subscriber's <c>authorization</c>
    /// query parameter (its token) in it.
    /// </summary>
    public static void Configure(ILoggingBuilder logging, ServeLogFormat format, LogLevel? level)
    {
        if (format == ServeLogFormat.Json)
        {
            logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
                json.IncludeScopes = false;
            });
        }

        if (level is { } minimum)
        {
            logging.SetMinimumLevel(minimum);
            logging.AddFilter("Herald", minimum);
        }

        // One line per request would drown the hub's own output; configuration can turn it back on.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        // Hosting's per-request diagnostics (its start and finish lines, a log scope and an
        // Activity for every request) would live as long as each subscription: about 1 KB per idle
        // subscriber for lines nobody sees; and the start line holds the request's URL with any
        // token in its query string.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        logging.Configure(options => options.ActivityTrackingOptions = ActivityTrackingOptions.None);
    }
}
