namespace Herald.Sse;

/// <summary>What a <see cref="SseItem"/> carries: a dispatched event or a comment line.</summary>
public enum SseItemKind : byte
{
    /// <summary>An event dispatched at a blank line, with a type, data and the last event ID string.</summary>
    Event,

    /// <summary>A comment line (one starting with a colon), such as a server's heartbeat.</summary>
    Comment,
}
