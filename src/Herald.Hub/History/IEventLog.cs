namespace Herald.Hub.History;

/// <summary>
/// The hub's history: every update is appended before it is delivered, so a subscriber can
/// resume after the last event it saw.
/// </summary>
/// <remarks>
/// The hub serializes calls to <see cref="AppendAsync"/>: sequences are assigned in the order
/// updates are delivered live, which is what lets a subscriber switch from replay to live
/// delivery with no gap and no duplicate.
/// </remarks>
public interface IEventLog
{
    /// <summary>Stores <paramref name="update"/> (its id already set) and returns its sequence:
    /// positive and greater than every sequence before it.</summary>
    /// <param name="update">The update to store.</param>
    /// <param name="cancellationToken">Cancels the append.</param>
    ValueTask<long> AppendAsync(Update update, CancellationToken cancellationToken);

    /// <summary>Finds where a replay after <paramref name="lastEventId"/> starts.</summary>
    /// <param name="lastEventId">The id the subscriber saw last, or <see cref="HistoryCursor.Earliest"/>.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    ValueTask<HistoryCursor> FindAsync(string lastEventId, CancellationToken cancellationToken);

    /// <summary>Reads, in order, at most <paramref name="limit"/> updates whose sequence is greater
    /// than <paramref name="afterSequence"/>. An empty page means the replay has caught up.</summary>
    /// <param name="afterSequence">The sequence of the last update already sent; 0 for the start.</param>
    /// <param name="limit">The page size.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<IReadOnlyList<LoggedUpdate>> ReadAsync(long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>The id of the newest retained update, or <see langword="null"/> when the log is empty.</summary>
    string? LastEventId { get; }
}
