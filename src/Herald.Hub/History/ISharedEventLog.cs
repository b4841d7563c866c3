namespace Herald.Hub.History;

/// <summary>
/// A history that several hub nodes share (Redis Streams, say): an update appended by any node
/// reaches every node through <see cref="FollowAsync"/>. A hub over such a log dispatches what it
/// follows, in sequence order, instead of what it appended itself, so every node delivers the same
/// updates in the same order with the same ids and sequences, and a subscriber can resume on any
/// node.
/// </summary>
/// <remarks>
/// The hub calls <see cref="FollowAsync"/> from one loop only. A failure (the shared store
/// unreachable) is thrown; the hub retries from the last sequence it delivered, so subscribers are
/// caught up in order when the store returns.
/// </remarks>
public interface ISharedEventLog : IEventLog
{
    /// <summary>The sequence of the newest update the log holds, or has ever assigned when it is
    /// trimmed empty; 0 for a log never written.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    ValueTask<long> GetLastSequenceAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The updates after <paramref name="afterSequence"/>, in order, appended by any node: those
    /// already stored at once, otherwise the next ones as soon as they are stored. Returns an
    /// empty page when nothing came within the log's wait, so the caller can look around and ask
    /// again.
    /// </summary>
    /// <param name="afterSequence">The sequence of the last update the caller delivered.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    ValueTask<IReadOnlyList<LoggedUpdate>> FollowAsync(long afterSequence, CancellationToken cancellationToken);

    /// <summary>Whether the shared store answered the last command sent to it.</summary>
    bool IsReachable { get; }
}
