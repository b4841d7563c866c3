using System.CommandLine;
using System.Net;
using Herald.Hub;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;

namespace Herald.Server.Commands;

/// <summary>
/// The flags of <c>herald serve</c> for the hub's limits (<see cref="HeraldOptions.Limits"/>, the
/// selectors and body size) and for the proxies whose <c>X-Forwarded-For</c> names the client the
/// limits count: none unless given, so a client can never choose its own address.
/// </summary>
internal sealed class ServeLimitOptions
{
    private readonly Option<int?> _maxSubscribersPerIp = new("--max-subscribers-per-ip") { Description = "The most subscriptions one client IP address (an IPv6 /64) holds at once; past it, 429 (default 256; 0 for no limit). Behind a proxy, pass --trust-proxy, or every client is the proxy." };
    private readonly Option<int?> _publishRatePerToken = new("--publish-rate-per-token") { Description = "Publishes per second one publisher (its token's sub, or the token) may make, with bursts of twice as many; past it, 429. Opening a token stream counts once (default 1000; 0 for no limit)." };
    private readonly Option<int?> _publishRatePerIp = new("--publish-rate-per-ip") { Description = "Publishes per second one client IP address may make, whatever its tokens, with bursts of twice as many; past it, 429 (default 5000; 0 for no limit)." };
    private readonly Option<int?> _maxSelectors = new("--max-selectors") { Description = "The most topic selectors one subscription may carry; past it, 400 (default 1000)." };
    private readonly Option<long?> _maxPublishSize = new("--max-publish-size") { Description = "The largest publish request body in bytes; past it, 413 (default 1048576)." };
    private readonly Option<long?> _maxEventSize = new("--max-event-size") { Description = "The largest event in bytes: a publish's data (past it, 413) and each event of a token stream (past it, the stream ends as an error). Never more than --max-publish-size (default 1048576)." };
    private readonly Option<string[]> _trustProxy = new("--trust-proxy") { Description = "A reverse proxy (IP address or CIDR network) whose X-Forwarded-For and X-Forwarded-Proto are believed, so limits count the real client (repeatable). Without it those headers are ignored.", AllowMultipleArgumentsPerToken = true };

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_maxSubscribersPerIp);
        command.Options.Add(_publishRatePerToken);
        command.Options.Add(_publishRatePerIp);
        command.Options.Add(_maxSelectors);
        command.Options.Add(_maxPublishSize);
        command.Options.Add(_maxEventSize);
        command.Options.Add(_trustProxy);
    }

    /// <summary>Sets the options the flags name; the others keep their configured values.</summary>
    public void Apply(ParseResult result, HeraldOptions options)
    {
        options.Limits.MaxSubscribersPerIp = result.GetValue(_maxSubscribersPerIp) ?? options.Limits.MaxSubscribersPerIp;
        options.Limits.PublishesPerSecondPerToken = result.GetValue(_publishRatePerToken) ?? options.Limits.PublishesPerSecondPerToken;
        options.Limits.PublishesPerSecondPerIp = result.GetValue(_publishRatePerIp) ?? options.Limits.PublishesPerSecondPerIp;
        options.Limits.MaxEventSize = result.GetValue(_maxEventSize) ?? options.Limits.MaxEventSize;
        options.MaxSelectorsPerSubscription = result.GetValue(_maxSelectors) ?? options.MaxSelectorsPerSubscription;
        options.MaxPublishBodySize = result.GetValue(_maxPublishSize) ?? options.MaxPublishBodySize;
    }

    /// <summary>The forwarded headers settings for the trusted proxies, <see langword="null"/>
    /// when none is given; <paramref name="problem"/> names a value that is no address or network.</summary>
    public ForwardedHeadersOptions? ForwardedHeadersFor(ParseResult result, out string? problem)
    {
        problem = null;
        string[] proxies = result.GetValue(_trustProxy) ?? [];
        if (proxies.Length == 0)
        {
            return null;
        }

        var forwarded = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // Every trusted hop is unwrapped, up to the first address that is not a trusted proxy:
            // that one is the client, whatever it wrote further left.
            ForwardLimit = null,
        };

        // ASP.NET Core trusts loopback by default; here only what the operator lists is trusted.
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (string proxy in proxies)
        {
            if (IPAddress.TryParse(proxy, out IPAddress? address) && !proxy.Contains('/', StringComparison.Ordinal))
            {
                forwarded.KnownProxies.Add(address);
            }
            else if (System.Net.IPNetwork.TryParse(proxy, out System.Net.IPNetwork network))
            {
                forwarded.KnownIPNetworks.Add(network);
            }
            else
            {
                problem = $"--trust-proxy must be an IP address or a CIDR network (10.0.0.0/8); got '{proxy}'.";
                return null;
            }
        }

        return forwarded;
    }
}
