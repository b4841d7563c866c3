namespace Herald.Hub.History.Sqlite;

/// <summary>
/// The settings of the durable history, bound from the <c>Herald:Sqlite</c> configuration section
/// (so also from <c>HERALD__SQLITE__...</c> environment variables).
/// </summary>
public sealed class SqliteEventLogOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Herald:Sqlite";

    /// <summary>The directory of the store, created if missing; relative paths are relative to the
    /// current directory. One hub at a time may use it.</summary>
    public string DataDirectory { get; set; } = "herald-data";

    /// <summary>Whether a commit is synced to disk before publishers are answered.</summary>
    public SqliteDurability Durability { get; set; } = SqliteDurability.Full;

    /// <summary>The most updates retained; the oldest are deleted past it. 0 or less: no limit.</summary>
    public long MaxEvents { get; set; } = 1_000_000;

    /// <summary>How long an update is retained after its commit. Zero or less: no limit.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The most bytes of data and topics (UTF-8) retained; the oldest updates are deleted
    /// past it. 0: no limit.</summary>
    public long MaxBytes { get; set; }

    /// <summary>How many of the newest updates are also kept in memory, so recent resumes and
    /// replays never read the store.</summary>
    public int RecentCapacity { get; set; } = 10_000;

    /// <summary>How often the retention limits are enforced in the background.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long opening the store waits for a lock held by another connection before it
    /// fails. Not bound from configuration: tests shorten it.</summary>
    internal TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The most rows one retention transaction deletes, so an append never waits long
    /// behind it. Not bound from configuration: tests shrink it to see several chunks.</summary>
    internal int RetentionChunkSize { get; set; } = 2_000;
}
