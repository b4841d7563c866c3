namespace Herald.Hub.Diagnostics;

/// <summary>
/// The names of the delivery-path diagnostics stream: a fixed script of timed probe events that
/// <c>herald doctor</c> reads through whatever proxies or CDNs stand between it and the hub, to
/// see whether they buffer, compress or cut the stream. Shared by the hub, which sends it, and the
/// doctor, which reads it.
/// </summary>
public static class HeraldDiagnostics
{
    /// <summary>Where the hub serves the diagnostics stream (GET, anonymous: it carries no data).</summary>
    public const string DefaultPath = "/.well-known/herald/diagnostics";

    /// <summary>The event type of every probe event. Its data is a JSON object with at least
    /// <c>seq</c> (0, 1, ...), <c>phase</c> and <c>t</c>, the milliseconds since the script began on
    /// the hub's clock when the event was written (relative, so no two clocks need to agree).</summary>
    public const string ProbeEventType = "herald-probe";

    /// <summary>The query parameter giving the idle gap in whole seconds.</summary>
    public const string IdleParameter = "idle";

    /// <summary>The idle gap when the request names none, in seconds: longer than the hub's
    /// default heartbeat interval (15 s), so a path that survives it survives the heartbeats' silences.</summary>
    public const int DefaultIdleSeconds = 20;

    /// <summary>The longest idle gap a request may ask for, in seconds; past it, 400.</summary>
    public const int MaxIdleSeconds = 60;

    /// <summary>The first event: it also says what the hub saw of the request (<c>protocol</c>,
    /// <c>forwarded</c>), the <c>idle</c> gap and how many <c>events</c> the script sends.</summary>
    public const string OpenPhase = "open";

    /// <summary>Small events sent a fixed interval apart: a buffering path delivers them in clumps.</summary>
    public const string PacedPhase = "paced";

    /// <summary>Small events sent back to back, each flushed on its own.</summary>
    public const string BurstPhase = "burst";

    /// <summary>An event written right after a padding comment (its size in <c>padding</c>): it
    /// pushes out data that a buffer holding small writes kept back.</summary>
    public const string PaddingPhase = "padding";

    /// <summary>The last event before the idle gap, during which the hub sends nothing at all.</summary>
    public const string IdlePhase = "idle";

    /// <summary>The event after the idle gap; the stream ends right after it.</summary>
    public const string EndPhase = "end";
}
