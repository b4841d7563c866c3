using Herald.Hub;
using Herald.Hub.Authorization;
using Herald.Hub.Diagnostics;
using Herald.Hub.Http;
using Herald.Hub.Limits;
using Herald.Hub.Streams;
using Herald.Hub.Subscriptions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

#pragma warning disable IDE0130 // Extension methods live in the namespace of what they extend, so they are found without a using.
namespace Microsoft.AspNetCore.Builder;
#pragma warning restore IDE0130

/// <summary>Maps the Herald hub's endpoints.</summary>
public static class HeraldEndpointRouteBuilderExtensions
{
    /// <summary>The path the Mercure protocol gives a hub.</summary>
    public const string DefaultPath = "/.well-known/mercure";

    /// <summary>
    /// Maps the hub at <paramref name="path"/>: GET to subscribe, POST to publish, OPTIONS for
    /// CORS preflight, and the active subscriptions API under <c>{path}/subscriptions</c>; and the
    /// token streams at <see cref="TokenStreamNames.DefaultPath"/>: POST to produce one, GET to
    /// read it, POST <c>{id}/cancel</c> to stop it, GET <c>{id}/control</c> for its producer; and
    /// the delivery-path diagnostics stream at <see cref="HeraldDiagnostics.DefaultPath"/> (GET).
    /// </summary>
    /// <param name="endpoints">The application's routes.</param>
    /// <param name="path">Where the hub lives; the Mercure default unless there is a reason.</param>
    /// <returns>A builder for conventions applied to all of the hub's endpoints.</returns>
    public static RouteGroupBuilder MapHerald(this IEndpointRouteBuilder endpoints, string path = DefaultPath)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = "/" + path.Trim('/');

        IServiceProvider services = endpoints.ServiceProvider;
        HeraldHub hub = services.GetRequiredService<HeraldHub>();
        IHubAuthorizer authorizer = services.GetRequiredService<IHubAuthorizer>();
        var subscriptions = new ActiveSubscriptions(hub, path, services.GetService<ISubscriptionPresence>() ?? SingleNodePresence.Instance);

        TokenStreams streams = services.GetRequiredService<TokenStreams>();
        PublishRateLimiter rates = services.GetRequiredService<PublishRateLimiter>();
        var subscribe = new SubscribeEndpoint(hub, authorizer, subscriptions, streams);
        RouteGroupBuilder streamGroup = endpoints.MapGroup(TokenStreamNames.DefaultPath);
        streamGroup.MapPost("/{streamId}", new StreamPublishEndpoint(hub, streams, authorizer, rates).HandleAsync);
        streamGroup.MapGet("/{streamId}", new StreamSubscribeEndpoint(hub, subscribe).HandleAsync);
        streamGroup.MapPost("/{streamId}/cancel", new StreamCancelEndpoint(hub, streams, authorizer).HandleAsync);
        streamGroup.MapGet("/{streamId}/control", new StreamControlEndpoint(hub, streams, authorizer).HandleAsync);
        streamGroup.MapMethods("/{**rest}", ["OPTIONS"], context => HubCors.PreflightAsync(context, hub.Options));

        CancellationToken stopping = services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        endpoints.MapGet(HeraldDiagnostics.DefaultPath, new DiagnosticsEndpoint(hub, stopping).HandleAsync);

        RouteGroupBuilder group = endpoints.MapGroup(path);
        group.MapGet(string.Empty, subscribe.HandleAsync);
        group.MapPost(string.Empty, new PublishEndpoint(hub, authorizer, rates, path).HandleAsync);
        group.MapGet("/subscriptions/{**rest}", new SubscriptionsEndpoint(hub, authorizer, subscriptions).HandleAsync);
        group.MapMethods("/{**rest}", ["OPTIONS"], context => HubCors.PreflightAsync(context, hub.Options));
        return group;
    }
}
