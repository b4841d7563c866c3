using System.Net;
using Herald.Hub.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Prometheus;

namespace Herald.Server.Web;

/// <summary>
/// <c>/metrics</c> in the Prometheus text format, on a listener of its own: the hub's meter, and
/// every other <c>System.Diagnostics.Metrics</c> meter of the process (Kestrel's, the runtime's)
/// through prometheus-net's meter adapter. Requests are told apart by the port they arrived on,
/// never by their Host header (which a client chooses), so the metrics cannot be read through the
/// hub's own port, which is often public.
/// </summary>
internal sealed class MetricsListener
{
    private ListenOptions? _listen;

    /// <summary>Listens for the life of the process, as the metrics are served.</summary>
    private readonly IDisposable _adapter;

    public MetricsListener(IPEndPoint endpoint)
    {
        Endpoint = endpoint;

        // The runtime's "System.Runtime" meter replaces its event counters, which prometheus-net
        // would otherwise poll (and allocate for) on its own. Its default meter adapter starts only
        // at the first scrape, so it would miss what came before (and an up-down counter such as
        // Kestrel's active connections would go below zero): this one listens from the start.
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressEventCounters = true, SuppressDebugMetrics = true, SuppressMeters = true });
        var adapter = new MeterAdapterOptions();
        Func<System.Diagnostics.Metrics.Instrument, double[]> defaultBuckets = adapter.ResolveHistogramBuckets;
        adapter.ResolveHistogramBuckets = instrument => instrument.Meter.Name == HubMetrics.MeterName ? [.. HubMetrics.LatencyBuckets] : defaultBuckets(instrument);
        _adapter = MeterAdapter.StartListening(adapter);
    }

    /// <summary>Where it listens, as asked (port 0 picks a free one).</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>The port it listens on, once Kestrel has bound it.</summary>
    public int BoundPort => _listen?.IPEndPoint?.Port ?? Endpoint.Port;

    /// <summary>The URL a scraper reads, once Kestrel has bound the listener.</summary>
    public string Url => $"http://{new IPEndPoint(Endpoint.Address, BoundPort)}/metrics";

    public void Listen(KestrelServerOptions kestrel) => kestrel.Listen(Endpoint, listen => _listen = listen);

    /// <summary>Serves <c>/metrics</c> to requests that came in on this listener, and nothing else there.</summary>
    public void Map(WebApplication app) =>
        app.MapWhen(
            context => context.Connection.LocalPort == BoundPort,
            metrics =>
            {
                metrics.UseMetricServer(settings => settings.EnableOpenMetrics = false, "/metrics");
                metrics.Run(context =>
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                });
            });
}
