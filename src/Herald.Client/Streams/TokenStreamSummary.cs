namespace Herald.Client.Streams;

/// <summary>How a stream ended, from the hub's final <c>herald-stream</c> event on the producer's control channel.</summary>
public sealed class TokenStreamSummary
{
    /// <summary>Creates a summary.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="status">The final status.</param>
    /// <param name="tokens">How many events the producer wrote that the hub published.</param>
    /// <param name="lastEventId">The id of the final lifecycle event, if the hub sent it.</param>
    /// <param name="reason">Why the stream ended, for <see cref="TokenStreamStatus.Error"/> and <see cref="TokenStreamStatus.Cancelled"/>.</param>
    public TokenStreamSummary(string streamId, TokenStreamStatus status, long tokens, string? lastEventId, string? reason)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        StreamId = streamId;
        Status = status;
        Tokens = tokens;
        LastEventId = lastEventId;
        Reason = reason;
    }

    /// <summary>The stream.</summary>
    public string StreamId { get; }

    /// <summary>The final status: <see cref="TokenStreamStatus.Done"/>, <see cref="TokenStreamStatus.Error"/> or <see cref="TokenStreamStatus.Cancelled"/>.</summary>
    public TokenStreamStatus Status { get; }

    /// <summary>How many of the producer's events (tokens and typed events) the hub published.</summary>
    public long Tokens { get; }

    /// <summary>The id of the stream's final event (<c>{streamId}:{Tokens + 1}</c>), if the hub sent it.</summary>
    public string? LastEventId { get; }

    /// <summary>Why the stream ended as <see cref="TokenStreamStatus.Error"/> or <see cref="TokenStreamStatus.Cancelled"/>; <see langword="null"/> when it is done.</summary>
    public string? Reason { get; }

    /// <inheritdoc />
    public override string ToString() =>
        Reason is null ? $"{StreamId}: {Status}, {Tokens} tokens" : $"{StreamId}: {Status}, {Tokens} tokens ({Reason})";
}
