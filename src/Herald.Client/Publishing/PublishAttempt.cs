using System.Runtime.ExceptionServices;

namespace Herald.Client.Publishing;

/// <summary>How one POST to the hub ended: the id it answered, or a failure and what it allows.</summary>
/// <param name="Id">The id the hub answered with, when it stored the update.</param>
/// <param name="Failure">Why the attempt failed, captured to be thrown if it is not retried.</param>
/// <param name="Transient">Whether a later attempt may succeed (network failure, timeout, 5xx, 429).</param>
/// <param name="NotSent">Whether the request certainly never reached the hub (no connection was
/// made), so even an update without an id may be sent again.</param>
/// <param name="RetryAfter">How long the hub asked to wait, if it did.</param>
internal readonly record struct PublishAttempt(string? Id, ExceptionDispatchInfo? Failure, bool Transient, bool NotSent, TimeSpan? RetryAfter)
{
    public static PublishAttempt Published(string id) => new(id, null, false, false, null);

    public static PublishAttempt Failed(Exception failure, bool transient, bool notSent = false, TimeSpan? retryAfter = null) =>
        new(null, ExceptionDispatchInfo.Capture(failure), transient, notSent, retryAfter);

    /// <summary>Whether the update may be sent again: a transient failure with an id to make it
    /// idempotent, or a request that never left.</summary>
    public bool MayRetry(bool hasId) => hasId ? Transient : NotSent;
}
