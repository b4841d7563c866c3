using System.Globalization;
using StackExchange.Redis;

namespace Herald.Hub.Redis;

/// <summary>Turns <see cref="RedisEventLogOptions.Configuration"/> into StackExchange.Redis options.</summary>
internal static class RedisConfiguration
{
    /// <summary>
    /// Reads a <c>redis://</c> or <c>rediss://</c> URL, or a StackExchange.Redis configuration
    /// string, and sets what a hub needs whatever was given: a start that does not fail while
    /// Redis is down (the hub reconnects), and commands that fail at once while it is unreachable
    /// rather than queue (a publish must answer 503, not wait).
    /// </summary>
    /// <exception cref="ArgumentException">The text is neither.</exception>
    public static ConfigurationOptions Parse(string text, TimeSpan commandTimeout, string clientName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        ConfigurationOptions options = text.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase)
            ? FromUrl(text)
            : ConfigurationOptions.Parse(text);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ClientName = clientName;
        int milliseconds = (int)Math.Clamp(commandTimeout.TotalMilliseconds, 1, int.MaxValue);
        options.AsyncTimeout = milliseconds;
        options.SyncTimeout = milliseconds;
        options.ConnectTimeout = milliseconds;
        options.ConnectRetry = 1;

        // Reconnect soon after Redis returns: subscribers are waiting to be caught up.
        options.ReconnectRetryPolicy = new LinearRetry(250);
        return options;
    }

    private static ConfigurationOptions FromUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? url) || string.IsNullOrEmpty(url.Host))
        {
            throw new ArgumentException($"\"{text}\" is not a Redis URL: expected redis://[user:password@]host[:port][/database].", nameof(text));
        }

        var options = new ConfigurationOptions { Ssl = url.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase) };
        options.EndPoints.Add(url.Host, url.IsDefaultPort ? 6379 : url.Port);
        if (url.UserInfo.Length > 0)
        {
            string[] parts = url.UserInfo.Split(':', 2);
            if (parts.Length == 2)
            {
                options.User = parts[0].Length > 0 ? Uri.UnescapeDataString(parts[0]) : null;
                options.Password = Uri.UnescapeDataString(parts[1]);
            }
            else
            {
                options.Password = Uri.UnescapeDataString(parts[0]);
            }
        }

        string database = url.AbsolutePath.Trim('/');
        if (database.Length > 0)
        {
            if (!int.TryParse(database, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
            {
                throw new ArgumentException($"\"{text}\": the path must be a database number; got \"{database}\".", nameof(text));
            }

            options.DefaultDatabase = number;
        }

        return options;
    }
}
