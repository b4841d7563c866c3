namespace Herald.Hub.Streams;

/// <summary>
/// What a cancel needs to know about a stream: whether it is private (who may cancel it), where
/// it is in its life, and the producer when this node has it. A stream produced on another node
/// sharing the history is read from the history (<paramref name="Producer"/> is then null).
/// </summary>
/// <param name="IsPrivate">Whether only readers authorized for its topic may read it.</param>
/// <param name="Status">Active, or how it ended.</param>
/// <param name="Reason">Why it failed or was cancelled, if it ended so.</param>
/// <param name="Producer">The producer, when it runs on this node.</param>
internal sealed record TokenStreamState(bool IsPrivate, TokenStreamStatus Status, string? Reason, TokenStreamProducer? Producer)
{
    /// <summary>The state of a stream this node produces.</summary>
    public static TokenStreamState Of(TokenStreamProducer producer) =>
        new(producer.IsPrivate, producer.Status, producer.Reason, producer);
}
