using System.Diagnostics.Metrics;
using Herald.Hub.History;
using Herald.Hub.History.Sqlite;

namespace Herald.Hub.Diagnostics;

/// <summary>
/// The hub's instruments, on one <see cref="Meter"/> named <see cref="MeterName"/>: counters of
/// what it published, delivered, wrote, refused and dropped, latency histograms, and gauges read
/// only when a collector asks (subscribers, queue depth, history size). Export them with any
/// <c>System.Diagnostics.Metrics</c> listener: <c>herald serve --metrics-port</c> serves them in
/// the Prometheus text format; an application embedding the hub adds the meter to its own
/// exporter (OpenTelemetry's <c>AddMeter("Herald.Hub")</c>, prometheus-net's meter adapter).
/// </summary>
/// <remarks>
/// Recording is cheap on purpose: a counter's add or a histogram's record is a no-op check when
/// nobody listens. Delivery records once per write to a subscriber (a write carries a batch), never
/// per frame, and nothing here allocates or locks per subscriber.
/// </remarks>
public sealed class HubMetrics : IDisposable
{
    /// <summary>The name of the hub's meter.</summary>
    public const string MeterName = "Herald.Hub";

    /// <summary>Bucket bounds, in seconds, suited to the hub's latencies: from a tenth of a
    /// millisecond (an in-memory commit) to ten seconds (a stalled reader).</summary>
    public static readonly IReadOnlyList<double> LatencyBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _published;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _bytesWritten;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _slowConsumerDisconnects;
    private readonly Counter<long> _replays;
    private readonly Histogram<double> _publishLatency;
    private readonly Histogram<double> _deliveryLatency;
    private readonly bool _ownsMeter;
    private int _observing;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/> (so each
    /// service provider has its own), or on a meter of their own without one.</summary>
    /// <param name="meterFactory">The application's meter factory, if any.</param>
    public HubMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _published = Meter.CreateCounter<long>("updates.published", "{update}", "Updates stored and dispatched (duplicates of a stored id not counted).");
        _delivered = Meter.CreateCounter<long>("updates.delivered", "{update}", "Events written to subscribers, live or replayed (a run of merged stream tokens counts once).");
        _bytesWritten = Meter.CreateCounter<long>("written.bytes", "By", "Bytes of events and heartbeats written live to subscribers.");
        _refused = Meter.CreateCounter<long>("subscriptions.refused", "{subscription}", "Subscriptions refused, by reason: limit (503 at the subscriber cap), unauthorized (401), unavailable (503, the history cannot be read).");
        _slowConsumerDisconnects = Meter.CreateCounter<long>("slow_consumer.disconnects", "{subscription}", "Subscribers closed because their queue overflowed: they could not keep up.");
        _replays = Meter.CreateCounter<long>("replays", "{subscription}", "Subscriptions that replayed history, by result: resumed (the last event id was retained) or reset (it was not; herald-reset sent).");
        _publishLatency = Meter.CreateHistogram("publish.duration.seconds", "s", "From a publish reaching the hub to its answer: queueing, the store's commit and dispatch.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _deliveryLatency = Meter.CreateHistogram("delivery.duration.seconds", "s", "From an update being stored to its write to a subscriber completing, once per write: the oldest update in it.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
    }

    /// <summary>The meter every instrument of the hub is on.</summary>
    public Meter Meter { get; }

    /// <summary>Adds the gauges read from <paramref name="hub"/> when collected; only the first hub counts.</summary>
    internal void Observe(HeraldHub hub)
    {
        if (Interlocked.Exchange(ref _observing, 1) != 0)
        {
            return;
        }

        Meter.CreateObservableUpDownCounter("subscribers", () => hub.SubscriberCount, "{subscriber}", "Subscribers connected now.");
        Meter.CreateObservableGauge("queue.depth", () => hub.QueueDepths().Total, "{frame}", "Frames waiting in subscribers' queues, all subscribers together.");
        Meter.CreateObservableGauge("queue.depth.max", () => hub.QueueDepths().Deepest, "{frame}", "Frames waiting in the fullest subscriber's queue.");
        Meter.CreateObservableGauge("history.updates", () => RetainedUpdates(hub.Log), "{update}", "Updates the history retains (SQLite and in-memory histories).");
    }

    internal void Published(int count) => _published.Add(count);

    internal void PublishCompleted(double seconds) => _publishLatency.Record(seconds);

    /// <summary>One write to a subscriber completed: <paramref name="events"/> events (and any heartbeat) in <paramref name="bytes"/>.</summary>
    internal void Written(int events, int bytes, double? oldestSeconds)
    {
        if (events > 0)
        {
            _delivered.Add(events);
        }

        if (oldestSeconds is { } seconds)
        {
            _deliveryLatency.Record(seconds);
        }

        _bytesWritten.Add(bytes);
    }

    internal void Replayed(int events, bool reset)
    {
        _replays.Add(1, new KeyValuePair<string, object?>("result", reset ? "reset" : "resumed"));
        if (events > 0)
        {
            _delivered.Add(events);
        }
    }

    /// <summary>The <c>reason</c> of a subscription refused at the subscriber cap.</summary>
    internal const string RefusedAtLimit = "limit";

    /// <summary>The <c>reason</c> of a subscription refused because its client address holds the
    /// most subscriptions one client may (<c>Limits.MaxSubscribersPerIp</c>).</summary>
    internal const string RefusedClientLimit = "client_limit";

    /// <summary>The <c>reason</c> of a subscription refused for its token (or its lack of one).</summary>
    internal const string RefusedUnauthorized = "unauthorized";

    /// <summary>The <c>reason</c> of a subscription refused because the history cannot be read.</summary>
    internal const string RefusedUnavailable = "unavailable";

    internal void Refused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    internal void SlowConsumerDisconnected() => _slowConsumerDisconnects.Add(1);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    private static IEnumerable<Measurement<long>> RetainedUpdates(IEventLog log)
    {
        long? count = log switch
        {
            SqliteEventLog sqlite => sqlite.RetainedCount,
            MemoryEventLog memory => memory.Count,
            _ => null,
        };
        return count is { } value ? [new Measurement<long>(value)] : [];
    }
}
