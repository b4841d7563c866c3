namespace Herald.Client.Streams;

/// <summary>
/// The stream ended without the producer ending it: the hub ended it (an error such as the idle
/// timeout or an event over its size limit; <see cref="Summary"/> says which), or the connection to
/// the hub broke (<see cref="Summary"/> is <see langword="null"/> and the inner exception says how).
/// What the producer writes no longer reaches readers, so it should stop generating.
/// </summary>
/// <remarks>A cancel never throws this from a write: the producer learns of it through <see cref="TokenStreamWriter.Cancelled"/>.</remarks>
public sealed class TokenStreamEndedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="summary">The hub's final word on the stream, if it arrived.</param>
    /// <param name="innerException">The failure of the connection, if that is what ended it.</param>
    public TokenStreamEndedException(string streamId, TokenStreamSummary? summary, Exception? innerException)
        : base(Describe(streamId, summary, innerException), innerException)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        StreamId = streamId;
        Summary = summary;
    }

    /// <summary>The stream.</summary>
    public string StreamId { get; }

    /// <summary>How the hub ended the stream, or <see langword="null"/> when the connection broke before it said.</summary>
    public TokenStreamSummary? Summary { get; }

    private static string Describe(string? streamId, TokenStreamSummary? summary, Exception? innerException) => summary is not null
        ? $"The hub ended stream {streamId} as {summary.Status}{(summary.Reason is null ? "" : $": {summary.Reason}")}."
        : $"The connection to the hub broke before stream {streamId} ended{(innerException is null ? "." : $": {innerException.Message}")}";
}
