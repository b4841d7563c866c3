namespace Herald.Hub.Streams;

/// <summary>
/// The names a token stream goes by: its id, its topic and its events' ids, and how an update of
/// the history is recognised as one of its tokens or its end. Everything here is derived from the
/// update itself (topic, type, id), never from state held in memory, so an update read back from
/// the store, or received from another node, is recognised the same way.
/// </summary>
public static class TokenStreamNames
{
    /// <summary>Where the token stream endpoints live, and the path every stream topic starts with.</summary>
    public const string DefaultPath = "/.well-known/herald/streams";

    /// <summary>The event type of lifecycle events (<c>active</c>, then the final status).</summary>
    public const string LifecycleEventType = "herald-stream";

    /// <summary>The event type a producer's <c>text/event-stream</c> body uses to fail its stream.</summary>
    public const string ErrorEventType = "herald-error";

    /// <summary>The event type of the cancel notice on a producer's control channel.</summary>
    public const string CancelEventType = "herald-cancel";

    /// <summary>The longest stream id.</summary>
    public const int MaxIdLength = 128;

    private const string TopicPrefix = DefaultPath + "/";

    /// <summary>What a stream's control topic adds to its topic: a '/' no stream id contains, so a
    /// control topic is never a stream's topic.</summary>
    private const string ControlSuffix = "/cancel";

    /// <summary>Whether <paramref name="streamId"/> is 1 to 128 characters of <c>A-Z a-z 0-9 - _ . ~</c>.</summary>
    /// <param name="streamId">The id to check.</param>
    public static bool IsValidId(string? streamId)
    {
        if (string.IsNullOrEmpty(streamId) || streamId.Length > MaxIdLength)
        {
            return false;
        }

        foreach (char c in streamId)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.' or '~'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The topic of the stream <paramref name="streamId"/>.</summary>
    /// <param name="streamId">A valid stream id.</param>
    public static string TopicOf(string streamId) => TopicPrefix + streamId;

    /// <summary>The id of the stream's event number <paramref name="number"/> (0 is the <c>active</c> event).</summary>
    /// <param name="streamId">A valid stream id.</param>
    /// <param name="number">The event's number in the stream.</param>
    public static string EventId(string streamId, long number) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{streamId}:{number}");

    /// <summary>Whether a topic's <paramref name="path"/> is a stream's topic, so only its producer may publish there.</summary>
    /// <param name="path">The topic's path.</param>
    internal static bool IsStreamPath(string path) => path.StartsWith(TopicPrefix, StringComparison.Ordinal);

    /// <summary>The topic of the hub's cancel requests for the stream <paramref name="streamId"/>:
    /// how a node without the producer asks the node with it, through the shared history. Under the
    /// streams' reserved namespace, so no publisher can forge one.</summary>
    /// <param name="streamId">A valid stream id.</param>
    internal static string ControlTopicOf(string streamId) => TopicPrefix + streamId + ControlSuffix;

    /// <summary>Whether the update is one of the hub's control messages between nodes (a cancel
    /// request, <see cref="ControlTopicOf"/>): never delivered to any subscriber.</summary>
    internal static bool IsControl(Update update) =>
        update.Type == CancelEventType && update.Topics.Count == 1
        && update.Topic.StartsWith(TopicPrefix, StringComparison.Ordinal) && update.Topic.EndsWith(ControlSuffix, StringComparison.Ordinal);

    /// <summary>The stream a control update is about, when <see cref="IsControl"/>.</summary>
    internal static string StreamIdOfControl(Update update) =>
        update.Topic[TopicPrefix.Length..^ControlSuffix.Length];

    /// <summary>Whether the update is a token: a stream's event with no type, whose data is text
    /// to append, so consecutive tokens of a stream may be merged into one event.</summary>
    internal static bool IsToken(Update update) =>
        update.Type is null && update.Topics.Count == 1 && update.Topic.StartsWith(TopicPrefix, StringComparison.Ordinal);

    /// <summary>Whether the update is a stream's final lifecycle event (done, error or cancelled):
    /// a lifecycle event other than number 0.</summary>
    internal static bool IsEnd(Update update) =>
        update.Type == LifecycleEventType && update.Id is { } id && !id.EndsWith(":0", StringComparison.Ordinal)
        && update.Topic.StartsWith(TopicPrefix, StringComparison.Ordinal);
}
