namespace Herald.Client.Streams.Relay;

/// <summary>
/// One thing an upstream LLM stream means, whatever its format: a text delta, a typed non-text
/// part, the normal end, or an error. A stream read by <see cref="UpstreamReader"/> ends with
/// exactly one <see cref="UpstreamPartKind.End"/> or <see cref="UpstreamPartKind.Error"/> part.
/// </summary>
public sealed class UpstreamPart
{
    /// <summary>The <see cref="EventType"/> of a tool call's start or arguments delta.</summary>
    public const string ToolCallEventType = "tool-call";

    /// <summary>The <see cref="EventType"/> of reasoning ("thinking") text, shown apart from the answer.</summary>
    public const string ReasoningEventType = "reasoning";

    /// <summary>The <see cref="EventType"/> of refusal text: the model declined, in words.</summary>
    public const string RefusalEventType = "refusal";

    private UpstreamPart(UpstreamPartKind kind, string value, string? eventType = null, Exception? exception = null)
    {
        Kind = kind;
        Value = value;
        EventType = eventType;
        Exception = exception;
    }

    /// <summary>Text, typed event, end or error.</summary>
    public UpstreamPartKind Kind { get; }

    /// <summary>
    /// The text of a <see cref="UpstreamPartKind.Text"/> part; the data of an
    /// <see cref="UpstreamPartKind.Event"/>; the upstream's stop reason for an
    /// <see cref="UpstreamPartKind.End"/> (<c>stop</c>, <c>end_turn</c>, <c>completed</c>; empty
    /// when it gave none); the reason for an <see cref="UpstreamPartKind.Error"/>, meant for
    /// readers of the stream (it names no URL or credential).
    /// </summary>
    public string Value { get; }

    /// <summary>The event type of an <see cref="UpstreamPartKind.Event"/> part; <see langword="null"/> for the other kinds.</summary>
    public string? EventType { get; }

    /// <summary>
    /// For an <see cref="UpstreamPartKind.Error"/> that was not in the stream's content (the
    /// upstream could not be reached, refused the request, broke off or went silent), what the
    /// client threw; <see langword="null"/> otherwise.
    /// </summary>
    public Exception? Exception { get; }

    /// <summary>Whether this is the last part: an end or an error.</summary>
    public bool IsFinal => Kind is UpstreamPartKind.End or UpstreamPartKind.Error;

    /// <summary>A text delta.</summary>
    /// <param name="text">Text to append to the answer.</param>
    /// <returns>The part.</returns>
    public static UpstreamPart Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new UpstreamPart(UpstreamPartKind.Text, text);
    }

    /// <summary>A typed non-text part.</summary>
    /// <param name="eventType">Its event type, such as <see cref="ToolCallEventType"/>.</param>
    /// <param name="data">Its data.</param>
    /// <returns>The part.</returns>
    public static UpstreamPart Event(string eventType, string data)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventType);
        ArgumentNullException.ThrowIfNull(data);
        return new UpstreamPart(UpstreamPartKind.Event, data, eventType);
    }

    /// <summary>The normal end.</summary>
    /// <param name="stopReason">The upstream's stop reason, if it gave one.</param>
    /// <returns>The part.</returns>
    public static UpstreamPart End(string? stopReason) => new(UpstreamPartKind.End, stopReason ?? string.Empty);

    /// <summary>An error.</summary>
    /// <param name="reason">Why, for readers of the stream.</param>
    /// <param name="exception">What the client threw, when the error was not in the stream's content.</param>
    /// <returns>The part.</returns>
    public static UpstreamPart Error(string reason, Exception? exception = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new UpstreamPart(UpstreamPartKind.Error, reason, exception: exception);
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        UpstreamPartKind.Event => $"{Kind} {EventType} \"{Value}\"",
        _ => $"{Kind} \"{Value}\"",
    };
}
