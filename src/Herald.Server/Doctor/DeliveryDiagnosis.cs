using System.Globalization;
using System.Net;
using Herald.Hub.Diagnostics;

namespace Herald.Server.Doctor;

/// <summary>
/// Turns what the doctor saw of a diagnostics stream into findings, each with the fix when
/// something is wrong: for nginx the exact directives, for other proxies and CDNs what to look for.
/// </summary>
internal static class DeliveryDiagnosis
{
    /// <summary>The hub's default heartbeat interval: a path must tolerate that much silence.</summary>
    private const int DefaultHeartbeatSeconds = 15;

    public static List<DoctorFinding> Diagnose(ProbeReading reading) =>
    [
        HttpVersion(reading),
        ContentType(reading),
        CacheControl(reading),
        AccelBuffering(reading),
        Compression(reading),
        Arrival(reading),
        Idle(reading),
    ];

    private static DoctorFinding HttpVersion(ProbeReading reading)
    {
        string client = reading.HttpVersion.Major >= 2 ? $"HTTP/{reading.HttpVersion.Major}" : $"HTTP/{reading.HttpVersion.Major}.{reading.HttpVersion.Minor}";
        string path = reading.Forwarded ? "through a proxy (it added forwarding headers)" : "with no forwarding headers (direct, or a proxy that adds none)";
        string observed = $"{client} to the doctor; the hub received {reading.HubProtocol} {path}";
        if (reading.HubProtocol == "HTTP/1.0" || reading.HttpVersion == System.Net.HttpVersion.Version10)
        {
            return new DoctorFinding(DoctorSeverity.Advice, "HTTP version", observed,
                "HTTP/1.0 has no chunked responses and no keep-alive: every stream and reconnect costs a connection, and some proxies buffer such responses. "
                + "nginx: proxy_http_version 1.1; and proxy_set_header Connection ''; in the location that proxies the hub. Other proxies: speak HTTP/1.1 or HTTP/2 to the hub.");
        }

        return new DoctorFinding(DoctorSeverity.Ok, "HTTP version", observed);
    }

    private static DoctorFinding ContentType(ProbeReading reading)
    {
        string observed = reading.ContentType ?? "(none)";
        return IsEventStream(reading.ContentType)
            ? new DoctorFinding(DoctorSeverity.Ok, "Content-Type", observed)
            : new DoctorFinding(DoctorSeverity.Problem, "Content-Type", $"{observed}, but the hub sends text/event-stream",
                "Browsers' EventSource refuses any other type: something on the way rewrites it. nginx: no default_type or add_header for the hub's location; other proxies: pass the upstream's Content-Type unchanged.");
    }

    private static DoctorFinding CacheControl(ProbeReading reading)
    {
        string? value = reading.CacheControl;
        if (value is not null && (value.Contains("no-cache", StringComparison.OrdinalIgnoreCase) || value.Contains("no-store", StringComparison.OrdinalIgnoreCase)))
        {
            return value.Contains("no-store", StringComparison.OrdinalIgnoreCase) && value.Contains("private", StringComparison.OrdinalIgnoreCase)
                ? new DoctorFinding(DoctorSeverity.Ok, "Cache-Control", value)
                : new DoctorFinding(DoctorSeverity.Note, "Cache-Control", $"{value} (changed on the way; the hub sends private, no-cache, no-store, must-revalidate, max-age=0)");
        }

        return new DoctorFinding(DoctorSeverity.Problem, "Cache-Control", $"{value ?? "(none)"}: the hub's no-cache, no-store was removed on the way",
            "A cache may then hold the stream or serve one subscriber's stream to another. nginx: no proxy_cache, expires or add_header Cache-Control in the hub's location; CDNs: bypass the cache for the hub's paths.");
    }

    private static DoctorFinding AccelBuffering(ProbeReading reading) => reading.AccelBuffering switch
    {
        null => new DoctorFinding(DoctorSeverity.Note, "X-Accel-Buffering", "(none): removed on the way; nginx consumes it (it turns nginx's buffering off for the response), so this is normal behind nginx"),
        string value when value.Trim().Equals("no", StringComparison.OrdinalIgnoreCase) => new DoctorFinding(DoctorSeverity.Ok, "X-Accel-Buffering", value),
        string value => new DoctorFinding(DoctorSeverity.Note, "X-Accel-Buffering", $"{value} (the hub sends no)"),
    };

    private static DoctorFinding Compression(ProbeReading reading) => reading.ContentEncoding is null or "identity"
        ? new DoctorFinding(DoctorSeverity.Ok, "Content-Encoding", "none")
        : new DoctorFinding(DoctorSeverity.Problem, "Content-Encoding", $"{reading.ContentEncoding}: the stream is compressed on the way (the hub never compresses it)",
            "A compressor holds small writes until its block fills, so events arrive late or in clumps. nginx: gzip off; (and brotli off; if built in) in the hub's location, or leave text/event-stream out of gzip_types; CDNs and other proxies: exclude text/event-stream from compression.");

    private static DoctorFinding Arrival(ProbeReading reading)
    {
        ArrivalSkew skew = ArrivalSkew.Of(reading.Arrivals);
        if (!skew.Buffered)
        {
            return new DoctorFinding(DoctorSeverity.Ok, "Arrival", $"{reading.Arrivals.Count} of {reading.ExpectedEvents} probe events arrived as they were sent (largest skew {Ms(skew.MaxDelayMs)})");
        }

        string released = skew.ReleasedBy switch
        {
            { Phase: HeraldDiagnostics.PaddingPhase, Padding: { } size } => $"they came out when the hub sent {Bytes(size)} of padding, so something holds up to about that much",
            { Phase: HeraldDiagnostics.EndPhase } => "they came out only when the stream ended",
            { } other => $"they came out after the hub's '{other.Phase}' event",
            null => "they came out only when the stream ended",
        };
        return new DoctorFinding(DoctorSeverity.Problem, "Arrival", $"buffering: {skew.Held} of {reading.Arrivals.Count} probe events arrived {Ms(ArrivalSkew.HeldThresholdMs)} or more later than sent (up to {Ms(skew.MaxDelayMs)}), in clumps; {released}",
            "Something on the way buffers the response. nginx: proxy_buffering off; in the location that proxies the hub, and proxy_http_version 1.1; with proxy_set_header Connection ''; "
            + "(nginx also turns buffering off for responses carrying the hub's X-Accel-Buffering: no, unless proxy_ignore_headers lists it or another proxy drops it); "
            + "other proxies and CDNs: turn off response buffering for text/event-stream, or route the hub's paths around the CDN.");
    }

    private static DoctorFinding Idle(ProbeReading reading)
    {
        int idle = reading.IdleSeconds;
        ProbeArrival? idleStart = reading.Find(HeraldDiagnostics.IdlePhase);
        switch (reading.End)
        {
            case ProbeStreamEnd.Completed:
                return idle < DefaultHeartbeatSeconds
                    ? new DoctorFinding(DoctorSeverity.Note, "Idle gap", $"survived {idle} s of silence; the hub's heartbeat leaves up to {DefaultHeartbeatSeconds} s by default, so run with --idle {DefaultHeartbeatSeconds + 5} or more to check that")
                    : new DoctorFinding(DoctorSeverity.Ok, "Idle gap", $"survived {idle} s of silence");

            case ProbeStreamEnd.Stalled:
                return new DoctorFinding(DoctorSeverity.Problem, "Idle gap", $"the stream stalled: after {reading.Arrivals.Count} of {reading.ExpectedEvents} events nothing more arrived, and the connection stayed open, for {Seconds(reading.EndedAt - LastArrival(reading))}",
                    "Something holds the stream without passing it on or closing it: a buffer that never flushes, or a proxy that waits for the whole response. Turn off response buffering for text/event-stream (nginx: proxy_buffering off;).");
        }

        string why = reading.Error is null ? "closed" : $"broken ({reading.Error})";
        if (idleStart is { } silent)
        {
            // Counted on the hub's clock from when it went silent (the idle event may have sat in a
            // buffer): the cut, less the path's latency, minus the idle event's send time.
            double latency = reading.Arrivals.Min(arrival => arrival.Offset);
            double silence = reading.EndedAt - latency - silent.SentAt;
            return new DoctorFinding(DoctorSeverity.Problem, "Idle gap", $"cut: the connection was {why} after about {Seconds(silence)} of silence (the gap was {idle} s)",
                $"Something on the way closes connections that are silent for a while. nginx: proxy_read_timeout 1h; (and proxy_send_timeout 1h;) in the hub's location; load balancers and CDNs: raise the idle or origin read timeout above the hub's heartbeat interval ({DefaultHeartbeatSeconds} s by default), or lower the heartbeat (herald serve --heartbeat) below that timeout.");
        }

        return new DoctorFinding(DoctorSeverity.Problem, "Stream", $"cut early: the connection was {why} after {reading.Arrivals.Count} of {reading.ExpectedEvents} events, {Seconds(reading.EndedAt)} in, before the idle gap began (or while a buffer held the events before it)",
            "Something on the way ends streaming responses: a response time or size limit, a short read timeout, or a proxy that cannot stream. Check the proxy's and CDN's timeouts and limits for the hub's paths (nginx: proxy_read_timeout, proxy_buffering off;).");
    }

    private static double LastArrival(ProbeReading reading) => reading.Arrivals.Count == 0 ? 0 : reading.Arrivals[^1].ArrivedAt;

    private static bool IsEventStream(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals("text/event-stream", StringComparison.OrdinalIgnoreCase);

    private static string Ms(double milliseconds) => string.Create(CultureInfo.InvariantCulture, $"{milliseconds:0} ms");

    private static string Seconds(double milliseconds) => string.Create(CultureInfo.InvariantCulture, $"{milliseconds / 1000:0.0} s");

    private static string Bytes(int size) => size % 1024 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{size / 1024} KiB") : string.Create(CultureInfo.InvariantCulture, $"{size} bytes");
}
