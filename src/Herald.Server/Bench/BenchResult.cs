using System.Globalization;

namespace Herald.Server.Bench;

/// <summary>Latency percentiles in milliseconds.</summary>
internal sealed record LatencySummary(double P50, double P90, double P99, double P999, double Max)
{
    public static LatencySummary Of(LatencyHistogram histogram) => new(
        Milliseconds(histogram.Percentile(50)),
        Milliseconds(histogram.Percentile(90)),
        Milliseconds(histogram.Percentile(99)),
        Milliseconds(histogram.Percentile(99.9)),
        Milliseconds(histogram.Max));

    private static double Milliseconds(long microseconds) => Math.Round(microseconds / 1000.0, 3);
}

/// <summary>The server's CPU and memory over a run, when its process id was given.</summary>
internal sealed record ServerFigures
{
    /// <summary>The process measured, in a figure of one of several <c>--server-pid</c>s; null for them all together.</summary>
    public int? Pid { get; init; }

    public double CpuSeconds { get; init; }

    /// <summary>The part of <see cref="CpuSeconds"/> spent in the kernel (system time).</summary>
    public double KernelCpuSeconds { get; init; }

    /// <summary>Server CPU from the first publish to the last delivery, per delivery.</summary>
    public double CpuMicrosecondsPerDelivery { get; init; }

    /// <summary>The kernel's part of <see cref="CpuMicrosecondsPerDelivery"/>.</summary>
    public double KernelCpuMicrosecondsPerDelivery { get; init; }

    /// <summary>Before any subscriber connected.</summary>
    public long MemoryBeforeBytes { get; init; }

    /// <summary>With every subscriber connected and idle.</summary>
    public long MemoryIdleBytes { get; init; }

    public long MemoryPerIdleSubscriberBytes { get; init; }

    /// <summary>After the last delivery.</summary>
    public long MemoryAfterBytes { get; init; }

    /// <summary>Given several <c>--server-pid</c>s, the figures of each (with its descendants), in the order given; null otherwise.</summary>
    public IReadOnlyList<ServerFigures>? Processes { get; init; }
}

/// <summary>What one <c>herald bench</c> run measured; written as JSON and read back by <c>herald bench report</c>.</summary>
internal sealed record BenchResult
{
    public required string Label { get; init; }

    public required string Http { get; init; }

    public int Subscribers { get; init; }

    public int Topics { get; init; }

    public int EventsPerTopic { get; init; }

    public double RatePerTopic { get; init; }

    public int PayloadBytes { get; init; }

    /// <summary>How events were published (<c>mercure</c>, <c>raw</c> or <c>stream</c>).</summary>
    public string PublishFormat { get; init; } = "mercure";

    public int Workers { get; init; }

    public int Connected { get; init; }

    public int ConnectFailed { get; init; }

    public Dictionary<string, int> ConnectErrors { get; init; } = [];

    public double ConnectSeconds { get; init; }

    public long Published { get; init; }

    public Dictionary<string, int> PublishFailures { get; init; } = [];

    public double PublishSeconds { get; init; }

    /// <summary>Deliveries the connected subscribers should have received.</summary>
    public long Expected { get; init; }

    /// <summary>Distinct events received.</summary>
    public long Delivered { get; init; }

    public long Lost { get; init; }

    public long Duplicates { get; init; }

    public long Reordered { get; init; }

    /// <summary>Data lines that were not one of the run's events.</summary>
    public long Unexpected { get; init; }

    /// <summary>Subscribers whose stream ended before it was complete.</summary>
    public int EndedEarly { get; init; }

    /// <summary>Whether every delivery arrived before the drain deadline.</summary>
    public bool Completed { get; init; }

    /// <summary>Deliveries per second, from the first publish to the last delivery.</summary>
    public double DeliveriesPerSecond { get; init; }

    /// <summary>Publish-to-receive latency.</summary>
    public required LatencySummary Latency { get; init; }

    /// <summary>Publish request round trips.</summary>
    public required LatencySummary PublishRoundTrip { get; init; }

    public ServerFigures? Server { get; init; }

    /// <summary>The CPU of the load generator itself (coordinator and workers) over the run.</summary>
    public double LoadGeneratorCpuSeconds { get; init; }

    public double LoadGeneratorCpuMicrosecondsPerDelivery { get; init; }

    public double DurationSeconds { get; init; }

    /// <summary>Publishes accepted per second of publishing: what the server took in, when the lanes offer more than it can.</summary>
    public double PublishesPerSecond => PublishSeconds > 0 ? Math.Round(Published / PublishSeconds) : 0;

    /// <summary>Every subscriber connected and received every event exactly once, in order.</summary>
    public bool Clean => ConnectFailed == 0 && Lost == 0 && Duplicates == 0 && Reordered == 0 && Unexpected == 0 && PublishFailures.Count == 0;

    /// <summary>The run as name-value lines, for a person at a terminal.</summary>
    public void WriteTable(TextWriter output)
    {
        void Row(string name, string value) => output.WriteLine($"  {name,-28} {value}");
        output.WriteLine($"herald bench: {Label}");
        Row("subscribers", $"{Connected:N0} of {Subscribers:N0} connected over HTTP/{Http} by {Workers} workers in {ConnectSeconds:0.0} s{Errors(ConnectErrors)}");
        Row("published", $"{Published:N0} to {Topics:N0} topics at {RatePerTopic:0.##}/s each, {PayloadBytes} B, as {PublishFormat}, in {PublishSeconds:0.0} s ({PublishesPerSecond:N0}/s){Errors(PublishFailures)}");
        Row("delivered", $"{Delivered:N0} of {Expected:N0}: lost {Lost:N0}, duplicated {Duplicates:N0}, reordered {Reordered:N0}, foreign {Unexpected:N0}, cut short {EndedEarly:N0}");
        Row("deliveries/s", $"{DeliveriesPerSecond:N0}");
        Row("latency ms p50/p90/p99/p99.9/max", Format(Latency));
        Row("publish round trip ms", Format(PublishRoundTrip));
        if (Server is { } server)
        {
            Row("server CPU", $"{server.CpuSeconds:0.00} s, {server.CpuMicrosecondsPerDelivery:0.00} µs per delivery, of which {server.KernelCpuMicrosecondsPerDelivery:0.00} µs in the kernel");
            Row("server memory", $"{Mib(server.MemoryBeforeBytes)} before, {Mib(server.MemoryIdleBytes)} idle with subscribers, {Mib(server.MemoryAfterBytes)} after; {server.MemoryPerIdleSubscriberBytes / 1024.0:0.0} KiB per idle subscriber");
            foreach (ServerFigures process in server.Processes ?? [])
            {
                Row($"  pid {process.Pid}", $"CPU {process.CpuSeconds:0.00} s ({process.KernelCpuSeconds:0.00} s kernel); memory {Mib(process.MemoryBeforeBytes)} before, {Mib(process.MemoryIdleBytes)} idle, {Mib(process.MemoryAfterBytes)} after");
            }
        }

        Row("load generator CPU", $"{LoadGeneratorCpuSeconds:0.00} s, {LoadGeneratorCpuMicrosecondsPerDelivery:0.00} µs per delivery");
        Row("verdict", Clean ? (Completed ? "clean: every event to every subscriber once, in order" : "clean") : "NOT CLEAN");
    }

    /// <summary>A Markdown table of several runs, one row each.</summary>
    public static void WriteMarkdown(IEnumerable<BenchResult> results, TextWriter output)
    {
        output.WriteLine("| run | HTTP | subscribers | events | publishes/s | delivered | lost / dup / reordered | deliveries/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | server CPU µs/delivery (kernel) | server KiB/idle subscriber | bench CPU µs/delivery |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (BenchResult r in results)
        {
            string cpu = r.Server is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s.CpuMicrosecondsPerDelivery:0.00} ({s.KernelCpuMicrosecondsPerDelivery:0.00})") : "–";
            string memory = r.Server is { } m ? (m.MemoryPerIdleSubscriberBytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) : "–";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Label} | {r.Http} | {r.Connected:N0} / {r.Subscribers:N0} | {r.Published:N0} | {r.PublishesPerSecond:N0} | {r.Delivered:N0} / {r.Expected:N0} | {r.Lost:N0} / {r.Duplicates:N0} / {r.Reordered:N0} | {r.DeliveriesPerSecond:N0} | {r.Latency.P50} | {r.Latency.P90} | {r.Latency.P99} | {r.Latency.P999} | {r.Latency.Max} | {cpu} | {memory} | {r.LoadGeneratorCpuMicrosecondsPerDelivery:0.00} |"));
        }
    }

    private static string Format(LatencySummary latency) => string.Create(CultureInfo.InvariantCulture, $"{latency.P50} / {latency.P90} / {latency.P99} / {latency.P999} / {latency.Max}");

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MiB");

    private static string Errors(Dictionary<string, int> errors) =>
        errors.Count == 0 ? string.Empty : "; " + string.Join(", ", errors.OrderByDescending(e => e.Value).Select(e => $"{e.Key} ×{e.Value}"));
}
