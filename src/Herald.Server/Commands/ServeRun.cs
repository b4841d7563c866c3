using System.Net;
using Herald.Hub;
using Herald.Server.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Herald.Server.Commands;

/// <summary>What <c>herald serve</c> made of its configuration and flags: everything one run of
/// the server needs.</summary>
/// <param name="Configuration">The layers read (appsettings.json, --config, the environment).</param>
/// <param name="Endpoint">Where the hub listens.</param>
/// <param name="H2cPort">A port for cleartext HTTP/2, or none.</param>
/// <param name="ConfigureHub">The flags' changes to the hub's options.</param>
/// <param name="ConfigureHistory">Registers the history (SQLite, memory or Redis).</param>
/// <param name="ConfigureLogging">The console log's format and level.</param>
/// <param name="ConfigureLimits">Kestrel's limits (the request headers timeout).</param>
/// <param name="Forwarded">The trusted proxies' forwarded headers, or none.</param>
/// <param name="Metrics">The /metrics listener, or none.</param>
/// <param name="DrainTimeout">The longest a graceful stop takes, or the default.</param>
/// <param name="DevSecret">Development mode's generated key, or none.</param>
internal sealed record ServeRun(
    IConfiguration Configuration,
    IPEndPoint Endpoint,
    int? H2cPort,
    Action<HeraldOptions> ConfigureHub,
    Action<IServiceCollection> ConfigureHistory,
    Action<ILoggingBuilder> ConfigureLogging,
    Action<KestrelServerLimits> ConfigureLimits,
    ForwardedHeadersOptions? Forwarded,
    MetricsListener? Metrics,
    TimeSpan? DrainTimeout,
    string? DevSecret);
