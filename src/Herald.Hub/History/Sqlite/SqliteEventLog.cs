using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Herald.Hub.History.Sqlite;

/// <summary>
/// The durable history: a SQLite database in write-ahead-log mode, with the newest updates also
/// in memory. Each batch the hub appends is one transaction (the hub's group commit), written by
/// one connection with prepared statements; replays read pages through pooled read-only
/// connections, or from memory when the tail covers them. Retention (count, age, size) deletes
/// the oldest updates in the background, a short transaction at a time.
/// </summary>
/// <remarks>
/// Sequences are the table's rowids, assigned here: contiguous among the retained updates and
/// continuing after a restart, as do the commit times in generated ids. Idempotency by id holds
/// across restarts for every retained update. One hub at a time may use a data directory: a lock
/// file enforces it across processes.
/// </remarks>
public sealed partial class SqliteEventLog : IEventLog, IDisposable
{
    /// <summary>The database file in the data directory.</summary>
    public const string DatabaseFileName = "herald.db";

    /// <summary>The file a running log holds locked, so a second hub on the same directory fails at start-up.</summary>
    public const string LockFileName = "herald.lock";

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _maxEvents;
    private readonly TimeSpan _maxAge;
    private readonly long _maxBytes;
    private readonly int _retentionChunkSize;
    private readonly FileStream _lockFile;
    private readonly SqliteConnection _writer;
    private readonly WriteStatements _statements;
    private readonly ReadSessionPool _readers;
    private readonly RecentUpdates _recent;

    /// <summary>Serializes the writer connection between appends and retention chunks.</summary>
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _retention;

    // Written under the write gate; read elsewhere only for tests and LastEventId.
    private long _lastSequence;
    private long _lastMilliseconds;
    private long _oldestSequence;
    private long _totalBytes;
    private volatile string? _newestId;
    private int _disposed;

    /// <summary>Opens the store in <see cref="SqliteEventLogOptions.DataDirectory"/>, creating it
    /// if missing, and starts enforcing retention in the background.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="time">The clock for commit times, generated ids, age retention and its schedule.</param>
    /// <param name="logger">Where retention reports what it deleted and any failure.</param>
    /// <exception cref="HeraldStoreException">The directory cannot be written, another hub uses it, or
    /// the database is locked, damaged or not a Herald store.</exception>
    public SqliteEventLog(SqliteEventLogOptions options, TimeProvider time, ILogger<SqliteEventLog>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DataDirectory);
        ArgumentOutOfRangeException.ThrowIfNegative(options.RecentCapacity);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxBytes);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RetentionInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.RetentionChunkSize);
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _maxEvents = options.MaxEvents;
        _maxAge = options.MaxAge;
        _maxBytes = options.MaxBytes;
        _retentionChunkSize = options.RetentionChunkSize;
        _recent = new RecentUpdates(options.RecentCapacity);

        string directory = Path.GetFullPath(options.DataDirectory);
        DatabasePath = Path.Combine(directory, DatabaseFileName);
        _lockFile = LockDirectory(directory);
        try
        {
            (_writer, _statements) = OpenWriter(options);
            _readers = new ReadSessionPool(new SqliteConnectionStringBuilder
            {
                DataSource = DatabasePath,
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = false,
            }.ToString());
        }
        catch
        {
            _lockFile.Dispose();
            throw;
        }

        _retention = Task.Run(() => RunRetentionAsync(options.RetentionInterval, _stopping.Token));
    }

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc />
    public string? LastEventId => _newestId;

    /// <summary>How many updates are retained (for tests).</summary>
    internal long RetainedCount
    {
        get
        {
            long oldest = Volatile.Read(ref _oldestSequence);
            return oldest == 0 ? 0 : Volatile.Read(ref _lastSequence) - oldest + 1;
        }
    }

    /// <summary>The running total of the retained updates' sizes (for tests).</summary>
    internal long RetainedBytes => Volatile.Read(ref _totalBytes);

    /// <summary>Takes the directory's lock file, creating the directory first.</summary>
    private static FileStream LockDirectory(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw StoreErrors.DirectoryUnusable(directory, exception);
        }

        string lockPath = Path.Combine(directory, LockFileName);
        try
        {
            // FileShare.None is an exclusive advisory lock (flock on Unix): released by the OS when
            // the process dies, so a crash never leaves the directory locked.
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.None);
        }
        catch (UnauthorizedAccessException exception)
        {
            throw StoreErrors.DirectoryUnusable(directory, exception);
        }
        catch (IOException exception)
        {
            throw StoreErrors.InUse(lockPath, exception);
        }
    }

    /// <summary>Opens the write connection, sets WAL and the durability, creates or checks the
    /// schema, and loads the state and the in-memory tail.</summary>
    private (SqliteConnection Writer, WriteStatements Statements) OpenWriter(SqliteEventLogOptions options)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,

            // Microsoft.Data.Sqlite retries a busy database until this many seconds have passed:
            // long enough to ride out a tool's short transaction, short enough to fail a locked start.
            DefaultTimeout = (int)Math.Max(1, Math.Ceiling(options.LockTimeout.TotalSeconds)),
        }.ToString());
        try
        {
            connection.Open();
            string mode = ExecuteText(connection, "PRAGMA journal_mode = WAL;");
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new HeraldStoreException($"The Herald store '{DatabasePath}' cannot use write-ahead logging (journal mode is '{mode}'). Put the data directory on a local file system.");
            }

            ExecuteText(connection, options.Durability == SqliteDurability.Full ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;");
            StoreSchema.State state = StoreSchema.CreateOrCheck(connection, DatabasePath);
            _lastSequence = state.LastSequence;
            _lastMilliseconds = state.LastMilliseconds;
            _totalBytes = state.TotalBytes;
            _oldestSequence = state.OldestSequence;
            LoadTail(connection);

            // The append path steps statements natively, past Microsoft.Data.Sqlite's retry loop:
            // SQLite's own busy handler waits as long for a tool's transaction to end.
            ExecuteText(connection, $"PRAGMA busy_timeout = {((long)options.LockTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)};");
            return (connection, new WriteStatements(connection));
        }
        catch (SqliteException exception)
        {
            connection.Dispose();
            throw StoreErrors.FromSqlite(exception, DatabasePath);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Loads the newest updates into memory: one descending range read of the rowid B-tree.</summary>
    private void LoadTail(SqliteConnection connection)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = $"SELECT {ReadSession.Columns} FROM events ORDER BY seq DESC LIMIT $limit;";
        command.Parameters.AddWithValue("$limit", Math.Max(_recent.Capacity, 1));
        var newestFirst = new List<LoggedUpdate>();
        using (SqliteDataReader reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                newestFirst.Add(ReadSession.ReadUpdate(reader));
            }
        }

        for (int i = newestFirst.Count - 1; i >= 0; i--)
        {
            _recent.Add(newestFirst[i]);
        }

        _newestId = newestFirst.Count > 0 ? newestFirst[0].Update.Id : null;
    }

    private static string ExecuteText(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
    }

    /// <summary>Reads a pragma of the write connection (for tests: durability is per connection).</summary>
    internal async Task<long> ReadWriterPragmaAsync(string name)
    {
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            return long.Parse(ExecuteText(_writer, $"PRAGMA {name};"), CultureInfo.InvariantCulture);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Stops retention, waits for any append in progress, and closes the store and its lock.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _retention.GetAwaiter().GetResult();
        _writeGate.Wait();
        try
        {
            // Readers first: the last connection to close checkpoints the WAL into the database,
            // and only the writer may.
            _readers.Dispose();
            _statements.Dispose();
            _writer.Dispose();
        }
        finally
        {
            _lockFile.Dispose();
            _stopping.Dispose();
            _writeGate.Release();
        }
    }
}
