namespace Herald.Client.Streams;

/// <summary>
/// The JSON the hub writes about a stream: the data of <c>herald-stream</c> and <c>herald-cancel</c>
/// events, and the body of a cancel's answer. Every field but the stream is optional, so one shape
/// reads them all.
/// </summary>
internal sealed record StreamNotice(string? Stream, string? Status, long? Tokens, string? LastEventId, string? Reason)
{
    /// <summary>The status as the client's enum; <see langword="null"/> when absent or unknown to this client.</summary>
    public TokenStreamStatus? ParsedStatus => Status switch
    {
        "active" => TokenStreamStatus.Active,
        "done" => TokenStreamStatus.Done,
        "error" => TokenStreamStatus.Error,
        "cancelled" => TokenStreamStatus.Cancelled,
        _ => null,
    };
}
