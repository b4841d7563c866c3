namespace Herald.Client.Streams.Relay;

/// <summary>How a relay ended: the Herald stream's final status, and what the upstream said last.</summary>
public sealed class RelaySummary
{
    /// <summary>Creates a summary.</summary>
    /// <param name="status">How the Herald stream ended.</param>
    /// <param name="reason">Why it ended as an error or cancelled; <see langword="null"/> when done.</param>
    /// <param name="stream">The hub's final word, if it arrived.</param>
    /// <param name="upstreamEnd">The upstream's final part, if the relay read that far.</param>
    public RelaySummary(TokenStreamStatus status, string? reason, TokenStreamSummary? stream, UpstreamPart? upstreamEnd)
    {
        Status = status;
        Reason = reason;
        Stream = stream;
        UpstreamEnd = upstreamEnd;
    }

    /// <summary>
    /// How the Herald stream ended: <see cref="TokenStreamStatus.Done"/> when the upstream
    /// finished and the hub published it all, <see cref="TokenStreamStatus.Cancelled"/> when
    /// someone stopped it, <see cref="TokenStreamStatus.Error"/> when the upstream failed or the
    /// hub ended the stream (or could no longer be reached).
    /// </summary>
    public TokenStreamStatus Status { get; }

    /// <summary>Why the stream ended as an error or cancelled, as readers saw it (or, when the hub could not say, how its connection failed).</summary>
    public string? Reason { get; }

    /// <summary>The hub's summary of the stream (its event count, its last event id); <see langword="null"/> when the connection to the hub broke first.</summary>
    public TokenStreamSummary? Stream { get; }

    /// <summary>
    /// The upstream's last part: <see cref="UpstreamPartKind.End"/> with its stop reason, or
    /// <see cref="UpstreamPartKind.Error"/> with its reason (and, for a failure to connect,
    /// <see cref="UpstreamPart.Exception"/>); <see langword="null"/> when the relay stopped first
    /// (a cancel, or the hub ending the stream).
    /// </summary>
    public UpstreamPart? UpstreamEnd { get; }

    /// <inheritdoc />
    public override string ToString() => Reason is null ? $"{Status}" : $"{Status}: {Reason}";
}
