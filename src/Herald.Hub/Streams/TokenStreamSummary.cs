namespace Herald.Hub.Streams;

/// <summary>How a token stream ended.</summary>
/// <param name="StreamId">The stream.</param>
/// <param name="Status">Its final status (never <see cref="TokenStreamStatus.Active"/>).</param>
/// <param name="Tokens">How many of the producer's events it holds.</param>
/// <param name="LastEventId">The id of its final lifecycle event.</param>
/// <param name="Reason">Why it failed or was cancelled, if it was.</param>
public sealed record TokenStreamSummary(string StreamId, TokenStreamStatus Status, long Tokens, string LastEventId, string? Reason);
