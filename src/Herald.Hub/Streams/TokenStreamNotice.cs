namespace Herald.Hub.Streams;

/// <summary>The JSON data of the hub's stream events: lifecycle (<c>herald-stream</c>) on the
/// stream's topic and on the producer's control channel, and the cancel notice (<c>herald-cancel</c>).</summary>
/// <param name="Stream">The stream id.</param>
/// <param name="Status">active, done, error or cancelled; none in a cancel notice.</param>
/// <param name="Tokens">How many of the producer's events the stream holds, once it ended.</param>
/// <param name="Reason">Why it failed or was cancelled.</param>
/// <param name="LastEventId">The final event's id, on the producer's control channel only.</param>
internal sealed record TokenStreamNotice(string Stream, string? Status = null, long? Tokens = null, string? Reason = null, string? LastEventId = null)
{
    /// <summary>The status as it is written: lower case.</summary>
    public static string Name(TokenStreamStatus status) => status switch
    {
        TokenStreamStatus.Active => "active",
        TokenStreamStatus.Done => "done",
        TokenStreamStatus.Error => "error",
        _ => "cancelled",
    };

    /// <summary>The final notice on a producer's control channel.</summary>
    public static TokenStreamNotice Of(TokenStreamSummary summary) =>
        new(summary.StreamId, Name(summary.Status), summary.Tokens, summary.Reason, summary.LastEventId);

    /// <summary>The JSON text.</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, HubJsonContext.Default.TokenStreamNotice);
}
