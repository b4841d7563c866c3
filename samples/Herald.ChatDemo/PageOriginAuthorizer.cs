using System.Net;
using Herald.Hub;
using Herald.Hub.Authorization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Herald.ChatDemo;

/// <summary>
/// The hub's own JWT authorizer, built on the first request rather than at start-up. The page's
/// Stop is a POST authorized by the cookie, which the hub accepts only from the origins in
/// <see cref="HeraldAuthorizationOptions.PublishOrigins"/> (CSRF); the page's origin is the app's
/// own address, known only once Kestrel has bound it (port 0 picks a port at start). So the
/// allowed origins are the bound addresses (and <c>localhost</c> for a loopback one) plus
/// <see cref="ChatDemoOptions.Origins"/>: pages anywhere else cannot use the cookie to Stop.
/// </summary>
internal sealed class PageOriginAuthorizer : IHubAuthorizer
{
    private readonly Lazy<JwtHubAuthorizer> _jwt;

    public PageOriginAuthorizer(IOptions<HeraldOptions> hub, IOptions<ChatDemoOptions> demo, IServer server, TimeProvider time)
    {
        HeraldAuthorizationOptions configured = hub.Value.Authorization;

        // Built once now as well, so unusable keys stop the app at start, not at the first request.
        _ = new JwtHubAuthorizer(configured, time);
        _jwt = new(() => new JwtHubAuthorizer(WithOrigins(configured, PageOrigins(server, demo.Value)), time));
    }

    public ValueTask<HubAuthorizationResult> AuthorizeAsync(HttpRequest request, HubRole role, CancellationToken cancellationToken) =>
        _jwt.Value.AuthorizeAsync(request, role, cancellationToken);

    /// <summary>The origins the page is served from: <c>scheme://host[:port]</c> of each bound address.</summary>
    internal static List<string> PageOrigins(IServer server, ChatDemoOptions demo)
    {
        var origins = new List<string>(demo.Origins);
        foreach (string address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out Uri? uri))
            {
                continue;
            }

            origins.Add($"{uri.Scheme}://{uri.Authority}");
            if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip))
            {
                origins.Add(new UriBuilder(uri) { Host = "localhost" }.Uri.GetLeftPart(UriPartial.Authority));
            }
        }

        return origins;
    }

    private static HeraldAuthorizationOptions WithOrigins(HeraldAuthorizationOptions configured, List<string> origins)
    {
        var options = new HeraldAuthorizationOptions
        {
            Publisher = configured.Publisher,
            Subscriber = configured.Subscriber,
            ClockSkew = configured.ClockSkew,
            CookieName = configured.CookieName,
            QueryParameterName = configured.QueryParameterName,
        };
        foreach (string origin in configured.PublishOrigins.Concat(origins))
        {
            options.PublishOrigins.Add(origin);
        }

        return options;
    }
}
