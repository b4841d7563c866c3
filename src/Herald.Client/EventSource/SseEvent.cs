namespace Herald.Client;

/// <summary>One thing an <see cref="EventSourceClient"/> reports: an event, a Herald gap notice, or a comment.</summary>
/// <remarks>A struct, like <see cref="Herald.Sse.SseItem"/>: reading allocates the strings and nothing per event besides.</remarks>
public readonly struct SseEvent : IEquatable<SseEvent>
{
    /// <summary>The event type of a Herald hub's in-band gap notice.</summary>
    public const string GapEventType = "herald-reset";

    /// <summary>Creates an event as the client reports it.</summary>
    /// <param name="kind">Event, gap or comment.</param>
    /// <param name="type">The event type (<c>message</c> by default); empty for a comment.</param>
    /// <param name="data">The event data, or the comment's text after the colon.</param>
    /// <param name="lastEventId">The last event ID string when the item was dispatched.</param>
    public SseEvent(SseEventKind kind, string type, string data, string lastEventId)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(lastEventId);
        Kind = kind;
        Type = type;
        Data = data;
        LastEventId = lastEventId;
    }

    /// <summary>Whether this is an event, a gap notice or a comment.</summary>
    public SseEventKind Kind { get; }

    /// <summary>The event type: <c>message</c> when the stream named none, <see cref="GapEventType"/> for a gap, empty for a comment.</summary>
    public string Type { get; }

    /// <summary>The event data (its <c>data</c> lines joined by LF), or a comment's text after the colon.</summary>
    public string Data { get; }

    /// <summary>
    /// The last event ID string at dispatch: it persists from event to event until an <c>id</c>
    /// field changes it, and it is what the client sends as <c>Last-Event-ID</c> when it reconnects.
    /// </summary>
    public string LastEventId { get; }

    /// <summary>Whether this is a Herald gap notice: events were missed.</summary>
    public bool IsGap => Kind == SseEventKind.Gap;

    /// <summary>Whether this is a comment line.</summary>
    public bool IsComment => Kind == SseEventKind.Comment;

    /// <inheritdoc />
    public bool Equals(SseEvent other) =>
        Kind == other.Kind && Type == other.Type && Data == other.Data && LastEventId == other.LastEventId;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SseEvent other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Type, Data, LastEventId);

    /// <summary>Compares two events field by field.</summary>
    public static bool operator ==(SseEvent left, SseEvent right) => left.Equals(right);

    /// <summary>Compares two events field by field.</summary>
    public static bool operator !=(SseEvent left, SseEvent right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => IsComment
        ? $"comment \"{Data}\""
        : $"{Kind} {Type} id=\"{LastEventId}\" data=\"{Data}\"";
}
