namespace Herald.Hub.History;

/// <summary>Where a replay starts, as the log found it for a requested last event id.</summary>
/// <param name="Found">Whether the requested id is retained (or was <see cref="Earliest"/>).</param>
/// <param name="AfterSequence">Replay the updates after this sequence: the requested update's,
/// or 0 to replay everything retained.</param>
public readonly record struct HistoryCursor(bool Found, long AfterSequence)
{
    /// <summary>The reserved last event id that asks for everything the log retains.</summary>
    public const string Earliest = "earliest";

    /// <summary>A cursor that replays everything retained, because the id was not found.</summary>
    public static HistoryCursor NotFound => new(false, 0);
}
