namespace Herald.Client.Publishing;

/// <summary>
/// One update to publish to a Mercure hub: the fields of the form-encoded POST.
/// </summary>
/// <remarks>
/// The first topic is the canonical one; the others are alternates. A subscriber whose selectors
/// match any of them receives the update once.
/// </remarks>
public sealed class PublishRequest
{
    /// <summary>Creates an update for one topic.</summary>
    /// <param name="topic">The canonical topic, usually an IRI such as <c>https://example.com/books/1</c>.</param>
    /// <param name="data">The event data; may span several lines, may be empty.</param>
    public PublishRequest(string topic, string data)
        : this([topic], data)
    {
    }

    /// <summary>Creates an update for a canonical topic and its alternates.</summary>
    /// <param name="topics">The canonical topic first, then any alternates.</param>
    /// <param name="data">The event data; may span several lines, may be empty.</param>
    public PublishRequest(IEnumerable<string> topics, string data)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(data);

        // Copied, so a list the caller changes later cannot change what a retry sends.
        Topics = [.. topics];
        Data = data;
    }

    /// <summary>The canonical topic followed by the alternates.</summary>
    public IReadOnlyList<string> Topics { get; }

    /// <summary>The event data.</summary>
    public string Data { get; }

    /// <summary>
    /// The event id, or <see langword="null"/> to let the hub generate one. Must not start with
    /// <c>#</c> (reserved for the hub's ids) nor contain CR, LF or NUL. An id also makes the
    /// publish safe to retry; see <see cref="HubPublisherOptions.MaxRetries"/>.
    /// </summary>
    public string? Id { get; init; }

    /// <summary>The SSE event type, or <see langword="null"/> for <c>message</c>. Must not contain CR, LF or NUL.</summary>
    public string? Type { get; init; }

    /// <summary>The reconnection time in milliseconds to send with the event, if any.</summary>
    public long? Retry { get; init; }

    /// <summary>Whether only subscribers whose token allows one of the topics receive the update.</summary>
    public bool IsPrivate { get; init; }

    /// <summary>
    /// The bearer token for this update only; when <see langword="null"/>, the publisher's
    /// <see cref="HubPublisherOptions.TokenProvider"/> or <see cref="HubPublisherOptions.Token"/> is used.
    /// </summary>
    public string? Token { get; init; }
}
