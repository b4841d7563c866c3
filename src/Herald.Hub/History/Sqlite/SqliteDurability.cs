namespace Herald.Hub.History.Sqlite;

/// <summary>How much of the history a <see cref="SqliteEventLog"/> keeps when the machine, not
/// just the process, fails. Both use SQLite's write-ahead log.</summary>
public enum SqliteDurability
{
    /// <summary>
    /// Every commit is synced to disk before the publishers are answered (<c>synchronous=FULL</c>):
    /// an acknowledged update survives a power loss or an operating-system crash.
    /// </summary>
    Full,

    /// <summary>
    /// Commits reach the operating system but are synced only at checkpoints
    /// (<c>synchronous=NORMAL</c>): an acknowledged update survives a crash of the process, but
    /// the last commits may be lost on a power loss or an operating-system crash. Faster.
    /// </summary>
    Normal,
}
