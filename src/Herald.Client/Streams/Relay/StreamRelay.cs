namespace Herald.Client.Streams.Relay;

/// <summary>
/// Republishes an upstream LLM API's event stream into a Herald token stream: what
/// <c>herald relay</c> runs. Readers of the Herald stream then get the answer live, resumable and
/// replayable, and a Stop on it reaches the LLM API.
/// </summary>
public static class StreamRelay
{
    /// <summary>How long a relay stopped by its caller waits to tell the hub why.</summary>
    private static readonly TimeSpan StoppedFailWait = TimeSpan.FromSeconds(10);

    /// <summary>The reason readers see when the relay's caller cancels it.</summary>
    public const string StoppedReason = "the relay was stopped";

    /// <summary>
    /// Reads the upstream (<see cref="UpstreamReader.ReadAsync"/>: one request, never re-sent)
    /// and writes what it means to <paramref name="writer"/>: text as tokens, tool calls,
    /// reasoning and refusals as typed events, the upstream's end as
    /// <see cref="TokenStreamWriter.CompleteAsync"/>, and its error, or its break, as
    /// <see cref="TokenStreamWriter.FailAsync"/> with the reason.
    /// </summary>
    /// <remarks>
    /// A cancel of the Herald stream (<see cref="TokenStreamWriter.Cancelled"/>) closes the
    /// upstream request at once, which is how an LLM API learns to stop generating; the stream
    /// ends as cancelled. If the hub ends the stream (its idle timeout, an event over its limit)
    /// or its connection breaks, the upstream request is closed too. The writer is left to the
    /// caller to dispose.
    /// </remarks>
    /// <param name="upstream">The upstream request: URL, method, body, headers (an API key).</param>
    /// <param name="writer">An open writer of the Herald stream.</param>
    /// <param name="format">The upstream's format, or <see cref="RelayFormat.Auto"/>.</param>
    /// <param name="cancellationToken">
    /// Stops the relay: the upstream request is closed, the stream fails with
    /// <see cref="StoppedReason"/> (waiting a few seconds at most for the hub), and
    /// <see cref="OperationCanceledException"/> is thrown.
    /// </param>
    /// <returns>How the stream ended and what the upstream said last.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<RelaySummary> RelayAsync(EventSourceOptions upstream, TokenStreamWriter writer, RelayFormat format = RelayFormat.Auto, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(writer);
        UpstreamPart? last = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, writer.Cancelled);
        try
        {
            await foreach (UpstreamPart part in UpstreamReader.ReadAsync(upstream, format, stop.Token).ConfigureAwait(false))
            {
                switch (part.Kind)
                {
                    case UpstreamPartKind.Text:
                        await writer.WriteAsync(part.Value, cancellationToken).ConfigureAwait(false);
                        break;
                    case UpstreamPartKind.Event:
                        await writer.WriteEventAsync(part.EventType!, part.Value, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        last = part;
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped by a cancel of the stream (ends below) or by the caller (fails below).
        }
        catch (TokenStreamEndedException ended)
        {
            // The hub ended the stream, or its connection broke: leaving the loop closed the upstream.
            return Ended(ended, last);
        }

        if (cancellationToken.IsCancellationRequested && !writer.Cancelled.IsCancellationRequested)
        {
            await FailStoppedAsync(writer).ConfigureAwait(false);
            throw new OperationCanceledException(cancellationToken);
        }

        try
        {
            // After a cancel the hub has ended the stream already: completing collects its summary.
            TokenStreamSummary stream = last is { Kind: UpstreamPartKind.Error }
                ? await writer.FailAsync(last.Value, cancellationToken).ConfigureAwait(false)
                : await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            return new RelaySummary(stream.Status, stream.Reason, stream, last);
        }
        catch (TokenStreamEndedException ended)
        {
            return Ended(ended, last);
        }
    }

    private static RelaySummary Ended(TokenStreamEndedException ended, UpstreamPart? last) => ended.Summary is { } summary
        ? new RelaySummary(summary.Status, summary.Reason, summary, last)
        : new RelaySummary(TokenStreamStatus.Error, ended.Message, null, last);

    private static async Task FailStoppedAsync(TokenStreamWriter writer)
    {
        using var bound = new CancellationTokenSource(StoppedFailWait);
        try
        {
            await writer.FailAsync(StoppedReason, bound.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TokenStreamEndedException or OperationCanceledException)
        {
            // The hub ends a stream whose producer went away as an error anyway.
        }
    }
}
