namespace Herald.Hub;

/// <summary>
/// One update published to the hub: what subscribers receive as a Server-Sent Event.
/// </summary>
/// <remarks>
/// The first topic is the canonical one; the others are alternates. A subscriber whose selectors
/// match any of them receives the update once.
/// </remarks>
public sealed class Update
{
    /// <summary>Creates an update.</summary>
    /// <param name="topics">The canonical topic first, then any alternates; at least one.</param>
    /// <param name="data">The event data; may span several lines.</param>
    /// <param name="id">The event id; <see langword="null"/> lets the hub generate one.</param>
    /// <param name="type">The SSE event type, if any.</param>
    /// <param name="retry">The reconnection time in milliseconds to send, if any.</param>
    /// <param name="isPrivate">Whether only subscribers authorized for one of the topics may receive it.</param>
    /// <exception cref="ArgumentException"><paramref name="topics"/> is empty.</exception>
    public Update(IReadOnlyList<string> topics, string data, string? id = null, string? type = null, long? retry = null, bool isPrivate = false)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(data);
        if (topics.Count == 0)
        {
            throw new ArgumentException("An update needs at least one topic.", nameof(topics));
        }

        Topics = topics;
        Data = data;
        Id = id;
        Type = type;
        Retry = retry;
        IsPrivate = isPrivate;
    }

    /// <summary>The canonical topic followed by the alternates.</summary>
    public IReadOnlyList<string> Topics { get; }

    /// <summary>The canonical topic.</summary>
    public string Topic => Topics[0];

    /// <summary>The event data.</summary>
    public string Data { get; }

    /// <summary>The event id: the publisher's, or the one the hub generated when it was published.</summary>
    public string? Id { get; internal set; }

    /// <summary>The SSE event type, or <see langword="null"/> for <c>message</c>.</summary>
    public string? Type { get; }

    /// <summary>The reconnection time in milliseconds sent with the event, if any.</summary>
    public long? Retry { get; }

    /// <summary>Whether only subscribers whose <c>mercure.subscribe</c> selectors match one of the
    /// topics receive the update.</summary>
    public bool IsPrivate { get; }
}
