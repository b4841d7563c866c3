namespace Herald.Client.Streams;

/// <summary>The hub's answer to <see cref="TokenStreamClient.CancelAsync"/>.</summary>
public sealed class TokenStreamCancelResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="outcome">What the request did.</param>
    /// <param name="status">The stream's status after it, when the hub knows the stream.</param>
    public TokenStreamCancelResult(TokenStreamCancelOutcome outcome, TokenStreamStatus? status)
    {
        Outcome = outcome;
        Status = status;
    }

    /// <summary>What the request did.</summary>
    public TokenStreamCancelOutcome Outcome { get; }

    /// <summary>
    /// The stream's status: <see cref="TokenStreamStatus.Cancelled"/> after a cancel, how it ended
    /// when it had already finished (if the hub said), <see langword="null"/> when the hub does not know it.
    /// </summary>
    public TokenStreamStatus? Status { get; }

    /// <inheritdoc />
    public override string ToString() => Status is { } status ? $"{Outcome} ({status})" : Outcome.ToString();
}
