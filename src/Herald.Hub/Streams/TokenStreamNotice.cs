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

    /// <summary>The status a notice names, read back: what <see cref="Name"/> wrote.</summary>
    public static TokenStreamStatus StatusOf(string? name) => name switch
    {
        "active" => TokenStreamStatus.Active,
        "done" => TokenStreamStatus.Done,
        "error" => TokenStreamStatus.Error,
        _ => TokenStreamStatus.Cancelled,
    };

    /// <summary>Reads a notice the hub wrote (a lifecycle event's data from the history, a cancel
    /// request from another node); <see langword="null"/> when it is not one.</summary>
    public static TokenStreamNotice? Parse(string json)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(json, HubJsonContext.Default.TokenStreamNotice);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>The final notice on a producer's control channel.</summary>
    public static TokenStreamNotice Of(TokenStreamSummary summary) =>
        new(summary.StreamId, Name(summary.Status), summary.Tokens, summary.Reason, summary.LastEventId);

    /// <summary>The JSON text.</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, HubJsonContext.Default.TokenStreamNotice);
}
