using Herald.Hub.History;
using Herald.Hub.History.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
    public static IServiceCollection AddHeraldSqlite(this IServiceCollection services, Action<SqliteEventLogOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<SqliteEventLogOptions> options = services.AddOptions<SqliteEventLogOptions>().BindConfiguration(SqliteEventLogOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new SqliteEventLog(
            provider.GetRequiredService<IOptions<SqliteEventLogOptions>>().Value,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<ILogger<SqliteEventLog>>()));

        // Remove, not TryAdd: AddHerald's in-memory history may already be registered; AddHerald
        // called later only tries to add its own.
        services.RemoveAll<IEventLog>();
        services.AddSingleton<IEventLog>(provider => provider.GetRequiredService<SqliteEventLog>());
        return services;
    }
}
