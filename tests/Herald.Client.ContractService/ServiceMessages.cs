namespace Herald.Client.ContractService;

/// <summary>The body of <c>POST /</c>: the stream the harness wants a client for.</summary>
internal sealed record CreateStreamRequest(
    string? Tag,
    string? StreamUrl,
    string? CallbackUrl,
    int? InitialDelayMs,
    int? ReadTimeoutMs,
    string? LastEventId,
    string? Method,
    string? Body,
    Dictionary<string, string>? Headers);

/// <summary>The body of <c>POST /streams/{id}</c>.</summary>
internal sealed record StreamCommand(string? Command, ListenCommand? Listen);

/// <summary>The parameters of a <c>listen</c> command.</summary>
internal sealed record ListenCommand(string? Type);

/// <summary>The answer to <c>GET /</c>.</summary>
internal sealed record ServiceStatus(string Name, IReadOnlyList<string> Capabilities);

/// <summary>An event as the harness receives it.</summary>
internal sealed record CallbackEvent(string Type, string Data, string Id);

/// <summary>One callback to the harness: exactly one of event, comment and error is set, as <see cref="Kind"/> says.</summary>
internal sealed record CallbackMessage(string Kind, CallbackEvent? Event = null, string? Comment = null, string? Error = null)
{
    public static CallbackMessage ForEvent(SseEvent e) => new("event", Event: new CallbackEvent(e.Type, e.Data, e.LastEventId));

    public static CallbackMessage ForComment(string text) => new("comment", Comment: text);

    public static CallbackMessage ForError(string message) => new("error", Error: message);
}
