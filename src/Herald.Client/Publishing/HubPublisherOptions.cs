namespace Herald.Client.Publishing;

/// <summary>Where a <see cref="HubPublisher"/> publishes, with which token, and how it retries.</summary>
public sealed class HubPublisherOptions
{
    /// <summary>The hub's URL, for example <c>https://example.com/.well-known/mercure</c>.</summary>
    public required Uri HubUrl { get; init; }

    /// <summary>The bearer token sent with every update, unless the update has its own or <see cref="TokenProvider"/> is set.</summary>
    public string? Token { get; init; }

    /// <summary>
    /// Supplies the bearer token for each attempt (so a retry picks up a refreshed token). Wins
    /// over <see cref="Token"/>; an update's own <see cref="PublishRequest.Token"/> wins over both.
    /// Returning <see langword="null"/> sends no token.
    /// </summary>
    public Func<CancellationToken, ValueTask<string?>>? TokenProvider { get; init; }

    /// <summary>
    /// How many times a failed attempt may be retried (3 by default; 0 turns retries off).
    /// An update with an id is retried after a network failure, a timeout, a 5xx or a 429. An
    /// update without one is retried only when the connection could not be made, since
    /// otherwise the hub may have stored it and a retry could publish it twice.
    /// </summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>
    /// The first backoff (100 ms by default). Each further retry doubles it, up to
    /// <see cref="MaxRetryDelay"/>, and the wait is drawn between half of it and all of it so
    /// that publishers failing together do not retry together.
    /// </summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The longest wait before a retry (10 s by default). A hub's <c>Retry-After</c> is waited
    /// exactly; when it asks for longer than this, the publisher gives up at once and the
    /// exception's <see cref="HubPublishException.RetryAfter"/> says when to come back.
    /// </summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether to give an update without an id one of its own before the first attempt
    /// (<c>urn:uuid:</c> and a version 7 UUID), so that it can be retried like any update with an id.
    /// Off by default, which leaves the id to the hub. A Herald hub stores an id once, so a retried
    /// publish is delivered once; other Mercure hubs may deliver it twice, with the same id, which
    /// subscribers can then recognise.
    /// </summary>
    public bool GenerateIds { get; init; }

    /// <summary>The clock the backoff waits on; tests replace it.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
