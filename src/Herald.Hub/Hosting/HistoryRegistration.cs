using Herald.Hub.History;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Herald.Hub.Hosting;

/// <summary>How a history other than the in-memory one takes its place in the services, whatever
/// the order of the calls: the SQLite and Redis registrations share it.</summary>
internal static class HistoryRegistration
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> from <paramref name="sectionName"/>, then applies
    /// <paramref name="configure"/>; registers <typeparamref name="TLog"/> as a singleton made by
    /// <paramref name="create"/>; and makes it the hub's <see cref="IEventLog"/>.
    /// </summary>
    public static IServiceCollection Replace<TLog, TOptions>(
        IServiceCollection services,
        string sectionName,
        Action<TOptions>? configure,
        Func<IServiceProvider, TOptions, TimeProvider, TLog> create)
        where TLog : class, IEventLog
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<TOptions> options = services.AddOptions<TOptions>().BindConfiguration(sectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => create(provider, provider.GetRequiredService<IOptions<TOptions>>().Value, provider.GetRequiredService<TimeProvider>()));

        // Remove, not TryAdd: AddHerald's in-memory history (or another) may already be
        // registered; AddHerald called later only tries to add its own.
        services.RemoveAll<IEventLog>();
        services.AddSingleton<IEventLog>(provider => provider.GetRequiredService<TLog>());
        return services;
    }
}
