namespace Herald.Client.Publishing;

/// <summary>
/// When a failed attempt is retried, and after how long: capped exponential backoff with jitter,
/// or exactly the hub's <c>Retry-After</c>.
/// </summary>
internal sealed class RetryPolicy(HubPublisherOptions options)
{
    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first), or
    /// <see langword="null"/> when the publisher must give up.</summary>
    /// <param name="retry">Which retry this would be.</param>
    /// <param name="retryAfter">What the hub asked for, if it did.</param>
    public TimeSpan? Delay(int retry, TimeSpan? retryAfter)
    {
        if (retry > options.MaxRetries)
        {
            return null;
        }

        if (retryAfter is { } asked)
        {
            // Retrying sooner than the hub asked would be rude, and waiting longer than the
            // caller allowed would hide a hub that is down: hand the decision back instead.
            return asked <= options.MaxRetryDelay ? asked : null;
        }

        double ceiling = Math.Min(
            options.InitialRetryDelay.TotalMilliseconds * Math.Pow(2, retry - 1),
            options.MaxRetryDelay.TotalMilliseconds);

        // "Equal jitter": never less than half the backoff, so retries still spread out when many
        // publishers failed at the same moment. The randomness needs no security.
#pragma warning disable CA5394
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
#pragma warning restore CA5394
    }
}
