namespace Herald.Client.Streams;

/// <summary>
/// One thing a reader of a token stream receives: text to append (a token), a typed event of the
/// producer, or a lifecycle event of the hub (<see cref="Status"/> set).
/// </summary>
/// <remarks>
/// A reader that falls behind gets consecutive tokens coalesced by the hub: one token item whose
/// <see cref="Data"/> is their concatenation and whose <see cref="EventId"/> is the last one's.
/// Appending every token's <see cref="Data"/> gives the answer either way.
/// </remarks>
public sealed class TokenStreamItem
{
    /// <summary>The event type of the hub's lifecycle events.</summary>
    public const string LifecycleEventType = "herald-stream";

    /// <summary>Creates an item as a reader reports it.</summary>
    /// <param name="type">The producer's event type, <see cref="LifecycleEventType"/>, or <see langword="null"/> for a token.</param>
    /// <param name="data">The token text, the event data, or the lifecycle event's JSON.</param>
    /// <param name="eventId">The event id, <c>{streamId}:{n}</c>.</param>
    /// <param name="status">The status a lifecycle event announces; <see langword="null"/> for anything else.</param>
    /// <param name="tokens">The count a final lifecycle event carries.</param>
    /// <param name="reason">The reason an <c>error</c> or <c>cancelled</c> lifecycle event carries.</param>
    public TokenStreamItem(string? type, string data, string eventId, TokenStreamStatus? status = null, long? tokens = null, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(eventId);
        Type = type;
        Data = data;
        EventId = eventId;
        Status = status;
        Tokens = tokens;
        Reason = reason;
    }

    /// <summary>
    /// <see langword="null"/> for a token; the producer's type for a typed event;
    /// <see cref="LifecycleEventType"/> for a lifecycle event; <see cref="SseEvent.GapEventType"/>
    /// when the hub could not resume from the id asked for (events were missed).
    /// </summary>
    public string? Type { get; }

    /// <summary>The token text (possibly several coalesced tokens), the typed event's data, or the lifecycle event's JSON.</summary>
    public string Data { get; }

    /// <summary>The event id (<c>{streamId}:{n}</c>): pass it to <see cref="TokenStreamClient.ReadAsync"/> to resume after it.</summary>
    public string EventId { get; }

    /// <summary>The status a lifecycle event announces; <see langword="null"/> for tokens and typed events.</summary>
    public TokenStreamStatus? Status { get; }

    /// <summary>How many events the producer wrote, on a final lifecycle event.</summary>
    public long? Tokens { get; }

    /// <summary>Why the stream ended, on an <c>error</c> or <c>cancelled</c> lifecycle event.</summary>
    public string? Reason { get; }

    /// <summary>Whether this is text to append to the answer.</summary>
    public bool IsToken => Type is null;

    /// <summary>Whether this is a lifecycle event of the hub.</summary>
    public bool IsLifecycle => Status is not null;

    /// <summary>Whether this is the stream's last event: a lifecycle event that is not <see cref="TokenStreamStatus.Active"/>.</summary>
    public bool IsTerminal => Status is { } status && status != TokenStreamStatus.Active;

    /// <inheritdoc />
    public override string ToString() => IsLifecycle
        ? $"{EventId} {Status}{(Tokens is { } count ? $", {count} tokens" : "")}{(Reason is null ? "" : $" ({Reason})")}"
        : $"{EventId} {Type ?? "token"} \"{Data}\"";
}
