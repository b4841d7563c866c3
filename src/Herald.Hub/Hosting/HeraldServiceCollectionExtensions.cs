using Herald.Hub.Authorization;
using Herald.Hub.Hosting;
using Herald.Hub.History;
using Herald.Hub.Selectors;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

#pragma warning disable IDE0130 // Extension methods live in the namespace of what they extend, so they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the Herald hub in an application's services.</summary>
public static class HeraldServiceCollectionExtensions
{
    /// <summary>
    /// Adds the hub: options bound from the <c>Herald</c> configuration section (and so from
    /// <c>HERALD__...</c> environment variables), then <paramref name="configure"/>; the in-memory
    /// history unless another <see cref="IEventLog"/> is registered; JWT authorization unless
    /// another <see cref="IHubAuthorizer"/> is; <see cref="Herald.Hub.IHeraldPublisher"/> for
    /// publishing from the application; and <see cref="Herald.Hub.Streams.TokenStreams"/> for
    /// producing token streams from it; and a health check tagged <c>ready</c> (the history
    /// answers) for a readiness probe; and <see cref="Herald.Hub.Diagnostics.HubMetrics"/>, the hub's
    /// instruments on the meter <c>Herald.Hub</c> of the application's <c>IMeterFactory</c>. When
    /// the host stops, the hub drains its subscriptions over
    /// <see cref="Herald.Hub.HeraldOptions.DrainWindow"/> (keep the host's shutdown timeout above
    /// it). Map the endpoints with <c>MapHerald</c>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Changes to the options after configuration is bound.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddHerald(this IServiceCollection services, Action<Herald.Hub.HeraldOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<Herald.Hub.HeraldOptions> options = services.AddOptions<Herald.Hub.HeraldOptions>()
            .BindConfiguration(Herald.Hub.HeraldOptions.SectionName)
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Herald.Hub.HeraldOptions>, HeraldOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => new TopicSelectorCache());
        services.TryAddSingleton<IEventLog>(provider => new MemoryEventLog(provider.GetRequiredService<IOptions<Herald.Hub.HeraldOptions>>(), provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IHubAuthorizer>(provider => new JwtHubAuthorizer(
            provider.GetRequiredService<IOptions<Herald.Hub.HeraldOptions>>().Value.Authorization,
            provider.GetRequiredService<TimeProvider>()));
        // The hub's instruments on a meter of the application's factory ("Herald.Hub"), for
        // whatever exporter the application adds.
        services.AddMetrics();
        services.TryAddSingleton<Herald.Hub.Diagnostics.HubMetrics>();
        services.TryAddSingleton<Herald.Hub.HeraldHub>();
        services.TryAddSingleton<Herald.Hub.IHeraldPublisher>(provider => provider.GetRequiredService<Herald.Hub.HeraldHub>());
        services.TryAddSingleton<Herald.Hub.Streams.TokenStreams>();
        services.TryAddSingleton<Herald.Hub.Limits.PublishRateLimiter>();
        services.TryAddSingleton<Herald.Hub.Subscriptions.ISubscriptionPresence>(Herald.Hub.Subscriptions.SingleNodePresence.Instance);
        services.AddHostedService<HubHousekeeping>();
        services.AddHostedService<HubDrain>();
        if (!services.Any(service => service.ServiceType == typeof(HeraldReadinessCheck)))
        {
            services.AddSingleton<HeraldReadinessCheck>();
            services.AddHealthChecks().Add(new HealthCheckRegistration("herald", provider => provider.GetRequiredService<HeraldReadinessCheck>(), null, [HeraldReadinessCheck.Tag]));
        }

        return services;
    }
}
