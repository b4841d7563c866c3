namespace Herald.Hub.Http;

/// <summary>One item of a streaming publish body.</summary>
/// <param name="Kind">What it is.</param>
/// <param name="Type">A typed event's type; <see langword="null"/> for a token.</param>
/// <param name="Data">The token text, the event's data, or the error's reason.</param>
internal readonly record struct StreamBodyPart(StreamBodyPartKind Kind, string? Type, string Data)
{
    /// <summary>A sign of life with nothing to publish (an SSE comment, an empty NDJSON line).</summary>
    public static StreamBodyPart KeepAlive => new(StreamBodyPartKind.KeepAlive, null, string.Empty);
}

/// <summary>The kinds of <see cref="StreamBodyPart"/>.</summary>
internal enum StreamBodyPartKind
{
    /// <summary>A token or a typed event to publish.</summary>
    Event,

    /// <summary>The producer fails the stream.</summary>
    Error,

    /// <summary>Nothing to publish; the producer is alive.</summary>
    KeepAlive,
}
