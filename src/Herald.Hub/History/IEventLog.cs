namespace Herald.Hub.History;

/// <summary>
/// The hub's history: every update is stored before it is delivered, so a subscriber can resume
/// after the last event it saw, and publishing is idempotent by id.
/// </summary>
/// <remarks>
/// The hub calls <see cref="AppendAsync"/> from one writer loop only, a batch at a time, and
/// delivers each batch after it returns, in sequence order: that is what lets a subscriber switch
/// from replay to live delivery with no gap and no duplicate. Reads may run concurrently with
/// appends and with each other.
/// </remarks>
public interface IEventLog
{
    /// <summary>
    /// Stores a batch of updates, all or nothing, and returns once it is as durable as the log
    /// promises. Each new update gets the next sequence; one without an id gets a generated one
    /// (<see cref="HubIds"/>), set on the update. An update whose id is already stored, earlier or
    /// in the same batch, is not stored again.
    /// </summary>
    /// <param name="updates">The batch, in publish order.</param>
    /// <param name="cancellationToken">Cancels the append before anything is stored.</param>
    /// <returns>One outcome per update, in the same order.</returns>
    ValueTask<AppendOutcome[]> AppendAsync(IReadOnlyList<Update> updates, CancellationToken cancellationToken);

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
