namespace Herald.Server.Doctor;

/// <summary>Everything the doctor saw of one diagnostics stream: the response's version and
/// headers, what the hub said it saw of the request, and each probe event's arrival.</summary>
internal sealed class ProbeReading
{
    public required Version HttpVersion { get; init; }

    public string? ContentType { get; init; }

    public string? CacheControl { get; init; }

    public string? AccelBuffering { get; init; }

    public string? ContentEncoding { get; init; }

    /// <summary>The protocol of the request as it reached the hub (after any proxy).</summary>
    public string? HubProtocol { get; set; }

    /// <summary>Whether the request reached the hub with forwarding headers (a proxy added them).</summary>
    public bool Forwarded { get; set; }

    /// <summary>The idle gap the hub ran, in seconds.</summary>
    public int IdleSeconds { get; set; }

    /// <summary>How many probe events the script sends.</summary>
    public int ExpectedEvents { get; set; }

    public List<ProbeArrival> Arrivals { get; } = [];

    public ProbeStreamEnd End { get; set; }

    /// <summary>When the stream ended or stalled, on the doctor's clock (ms since the headers).</summary>
    public double EndedAt { get; set; }

    /// <summary>Why the connection broke, when it did with an error.</summary>
    public string? Error { get; set; }

    /// <summary>The arrival of the event of <paramref name="phase"/>, if it arrived.</summary>
    public ProbeArrival? Find(string phase) => Arrivals.FindIndex(arrival => arrival.Phase == phase) is int i and >= 0 ? Arrivals[i] : null;
}
