namespace Herald.Server.Bench;

/// <summary>What the coordinator gives a worker process: the run, and which subscribers are its own.</summary>
internal sealed record WorkerAssignment(BenchSettings Settings, int FirstSubscriber, int SubscriberCount, string? SourceAddress);

/// <summary>A worker's report, one JSON line on its standard output.</summary>
internal sealed record WorkerReport
{
    /// <summary><c>connected</c> (every attempt is done), <c>complete</c> (every subscriber has every event) or <c>result</c>.</summary>
    public required string Kind { get; init; }

    public int Connected { get; init; }

    public int Failed { get; init; }

    /// <summary>Connection failures by reason.</summary>
    public Dictionary<string, int> Errors { get; init; } = [];

    public long Delivered { get; init; }

    public long Duplicates { get; init; }

    public long Reordered { get; init; }

    public long Unexpected { get; init; }

    public long Lost { get; init; }

    /// <summary>Subscribers whose stream the server ended (or broke) before all their events came.</summary>
    public int EndedEarly { get; init; }

    /// <summary>The latency histogram's non-empty buckets, as <see cref="LatencyHistogram.ToSparse"/> gives them.</summary>
    public long[][] Latency { get; init; } = [];

    public long LatencyMax { get; init; }

    /// <summary>The Stopwatch timestamp of the last delivery.</summary>
    public long LastReceived { get; init; }

    /// <summary>The worker's CPU seconds from the end of connecting to its result.</summary>
    public double CpuSeconds { get; init; }
}
