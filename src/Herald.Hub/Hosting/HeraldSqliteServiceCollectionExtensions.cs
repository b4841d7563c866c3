using Herald.Hub.History.Sqlite;
using Herald.Hub.Hosting;
using Microsoft.Extensions.Logging;

#pragma warning disable IDE0130 // Extension methods live in the namespace of what they extend, so they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the durable SQLite history of the Herald hub.</summary>
public static class HeraldSqliteServiceCollectionExtensions
{
    /// <summary>
    /// Makes the hub's history a <see cref="SqliteEventLog"/>: options bound from the
    /// <c>Herald:Sqlite</c> configuration section, then <paramref name="configure"/>. It replaces
    /// the in-memory history whether <c>AddHerald</c> is called before or after. The store is
    /// opened when the hub is first resolved and closed when the services are disposed.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Changes to the options after configuration is bound.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddHeraldSqlite(this IServiceCollection services, Action<SqliteEventLogOptions>? configure = null) =>
        HistoryRegistration.Replace<SqliteEventLog, SqliteEventLogOptions>(
            services,
            SqliteEventLogOptions.SectionName,
            configure,
            (provider, options, time) => new SqliteEventLog(options, time, provider.GetService<ILogger<SqliteEventLog>>()));
}
