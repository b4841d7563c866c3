namespace Herald.Sse;

/// <summary>
/// One thing a <see cref="SseParser"/> reports, in stream order: an event as a browser's
/// <c>EventSource</c> would dispatch it, or a comment line.
/// </summary>
/// <remarks>
/// A struct so that parsing allocates nothing per event beyond the strings it returns; the type
/// and the last event ID strings are reused while they do not change.
/// </remarks>
public readonly struct SseItem : IEquatable<SseItem>
{
    /// <summary>The event type used when a block has no <c>event</c> field or an empty one.</summary>
    public const string DefaultEventType = "message";

    // Retry is kept as a long with -1 for "none" rather than a long?, which keeps the struct at
    // 40 bytes instead of 48: items are copied several times on their way to the caller.
    private const long NoRetry = -1;
    private readonly long _retry;

    internal SseItem(SseItemKind kind, string type, string data, string lastEventId, long? retry)
    {
        Kind = kind;
        Type = type;
        Data = data;
        LastEventId = lastEventId;
        _retry = retry ?? NoRetry;
    }

    /// <summary>Whether this is an event or a comment.</summary>
    public SseItemKind Kind { get; }

    /// <summary>The event type (<c>message</c> by default); empty for a comment.</summary>
    public string Type { get; }

    /// <summary>
    /// For an event, its data: the <c>data</c> lines joined by LF, without the final LF.
    /// For a comment, the text after the colon, exactly as sent.
    /// </summary>
    public string Data { get; }

    /// <summary>
    /// The event source's last event ID string when this item was reached: it persists across
    /// events and is set only when an event block ends, so it is what a client should send as
    /// <c>Last-Event-ID</c> after having handled this item.
    /// </summary>
    public string LastEventId { get; }

    /// <summary>
    /// For an event, the reconnection time in milliseconds set by a valid <c>retry</c> field of
    /// its own block, or <see langword="null"/> when the block set none.
    /// </summary>
    public long? Retry => _retry == NoRetry ? null : _retry;

    /// <summary>Whether this item is an event.</summary>
    public bool IsEvent => Kind == SseItemKind.Event;

    /// <summary>Whether this item is a comment.</summary>
    public bool IsComment => Kind == SseItemKind.Comment;

    /// <summary>Creates an event item.</summary>
    /// <param name="type">The event type; <see langword="null"/> or empty means <c>message</c>.</param>
    /// <param name="data">The event data.</param>
    /// <param name="lastEventId">The last event ID string at dispatch.</param>
    /// <param name="retry">The reconnection time set by the event's block, in milliseconds.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retry"/> is negative.</exception>
    public static SseItem ForEvent(string? type, string data, string lastEventId = "", long? retry = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(lastEventId);
        if (retry is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(retry), retry, "A retry time is never negative.");
        }

        return new(SseItemKind.Event, string.IsNullOrEmpty(type) ? DefaultEventType : type, data, lastEventId, retry);
    }

    /// <summary>Creates a comment item.</summary>
    /// <param name="text">The text after the colon.</param>
    /// <param name="lastEventId">The last event ID string when the comment was read.</param>
    public static SseItem ForComment(string text, string lastEventId = "")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(lastEventId);
        return new(SseItemKind.Comment, string.Empty, text, lastEventId, null);
    }

    /// <inheritdoc />
    public bool Equals(SseItem other) =>
        Kind == other.Kind && Type == other.Type && Data == other.Data &&
        LastEventId == other.LastEventId && Retry == other.Retry;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SseItem other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Type, Data, LastEventId, Retry);

    /// <summary>Compares two items field by field.</summary>
    public static bool operator ==(SseItem left, SseItem right) => left.Equals(right);

    /// <summary>Compares two items field by field.</summary>
    public static bool operator !=(SseItem left, SseItem right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => IsComment
        ? $"comment \"{Data}\""
        : $"event {Type} id=\"{LastEventId}\"{(Retry is { } r ? $" retry={r}" : "")} data=\"{Data}\"";
}
