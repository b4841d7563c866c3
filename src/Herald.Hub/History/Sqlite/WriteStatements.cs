using Microsoft.Data.Sqlite;

namespace Herald.Hub.History.Sqlite;

/// <summary>
/// The write connection's statements, prepared once and reused: appending only rebinds values.
/// The append path, run per update, steps native statements (<see cref="RawStatement"/>);
/// retention, run per chunk of rows, goes through ADO.NET, whose overhead does not count there.
/// Used under the log's write gate only.
/// </summary>
internal sealed class WriteStatements : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly RawStatement _begin;
    private readonly RawStatement _commit;
    private readonly RawStatement _rollback;
    private readonly RawStatement _insert;
    private readonly RawStatement _storedSequence;
    private readonly RawStatement _advanceMeta;
    private readonly SqliteCommand _window;
    private readonly SqliteParameter _windowFrom;
    private readonly SqliteParameter _windowTo;
    private readonly SqliteCommand _delete;
    private readonly SqliteParameter _deleteFrom;
    private readonly SqliteParameter _deleteTo;
    private readonly SqliteCommand _shrinkMeta;
    private readonly SqliteParameter _freedBytes;

    public WriteStatements(SqliteConnection connection)
    {
        _connection = connection;

        SQLitePCL.sqlite3 handle = connection.Handle ?? throw new InvalidOperationException("The write connection is not open.");
        _begin = new RawStatement(handle, "BEGIN IMMEDIATE;");
        _commit = new RawStatement(handle, "COMMIT;");
        _rollback = new RawStatement(handle, "ROLLBACK;");

        // DO NOTHING on a duplicate id: the caller sees 0 rows changed and looks up the stored
        // sequence, so the common case (a new id) costs one statement, not a lookup and an insert.
        _insert = new RawStatement(handle, """
            INSERT INTO events (seq, committed, size, private, retry, id, type, topic, alternates, data)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
            ON CONFLICT (id) DO NOTHING;
            """);
        _storedSequence = new RawStatement(handle, "SELECT seq FROM events WHERE id = ?1;");
        _advanceMeta = new RawStatement(handle, "UPDATE meta SET last_seq = ?1, last_ms = ?2, total_bytes = total_bytes + ?3 WHERE singleton = 1;");

        _window = Prepare("SELECT seq, committed, size FROM events WHERE seq BETWEEN $from AND $to ORDER BY seq;");
        _windowFrom = Add(_window, "$from", SqliteType.Integer);
        _windowTo = Add(_window, "$to", SqliteType.Integer);

        _delete = Prepare("DELETE FROM events WHERE seq BETWEEN $from AND $to;");
        _deleteFrom = Add(_delete, "$from", SqliteType.Integer);
        _deleteTo = Add(_delete, "$to", SqliteType.Integer);

        _shrinkMeta = Prepare("UPDATE meta SET total_bytes = total_bytes - $bytes WHERE singleton = 1;");
        _freedBytes = Add(_shrinkMeta, "$bytes", SqliteType.Integer);
    }

    /// <summary>Begins an append's write transaction (on the native handle, outside ADO.NET's bookkeeping).</summary>
    public void BeginAppend() => _begin.Execute();

    /// <summary>Commits the append's transaction: with synchronous=FULL, this is the fsync.</summary>
    public void CommitAppend() => _commit.Execute();

    /// <summary>Rolls the append's transaction back, if SQLite has not already.</summary>
    public void RollbackAppend()
    {
        if (SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) == 0)
        {
            _rollback.Execute();
        }
    }

    /// <summary>Begins a retention transaction; its statements join it.</summary>
    public SqliteTransaction BeginRetention()
    {
        SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);
        _window.Transaction = _delete.Transaction = _shrinkMeta.Transaction = transaction;
        return transaction;
    }

    /// <summary>Inserts one update; false when its id is already stored (nothing was inserted).</summary>
    public bool TryInsert(long sequence, long committed, long size, Update update, string id, string topic, string? alternates)
    {
        _insert.Bind(1, sequence);
        _insert.Bind(2, committed);
        _insert.Bind(3, size);
        _insert.Bind(4, update.IsPrivate ? 1L : 0L);
        _insert.Bind(5, update.Retry);
        _insert.Bind(6, id);
        _insert.Bind(7, update.Type);
        _insert.Bind(8, topic);
        _insert.Bind(9, alternates);
        _insert.Bind(10, update.Data);
        return _insert.Execute() == 1;
    }

    /// <summary>The sequence of the stored update with this id.</summary>
    public long StoredSequence(string id)
    {
        _storedSequence.Bind(1, id);
        return _storedSequence.QueryInt64()
            ?? throw new InvalidOperationException($"The id '{id}' conflicted with a stored update that cannot be found.");
    }

    /// <summary>Records the last sequence and commit time, and adds to the running size total.</summary>
    public void AdvanceMeta(long lastSequence, long lastMilliseconds, long addedBytes)
    {
        _advanceMeta.Bind(1, lastSequence);
        _advanceMeta.Bind(2, lastMilliseconds);
        _advanceMeta.Bind(3, addedBytes);
        _advanceMeta.Execute();
    }

    /// <summary>Reads sequence, commit time and size of the rows in [<paramref name="from"/>, <paramref name="to"/>], in order.</summary>
    public SqliteDataReader ReadWindow(long from, long to)
    {
        _windowFrom.Value = from;
        _windowTo.Value = to;
        return _window.ExecuteReader();
    }

    /// <summary>Deletes the rows in [<paramref name="from"/>, <paramref name="to"/>] and takes their
    /// size off the running total; returns how many were deleted.</summary>
    public int Delete(long from, long to, long freedBytes)
    {
        _deleteFrom.Value = from;
        _deleteTo.Value = to;
        int deleted = _delete.ExecuteNonQuery();
        _freedBytes.Value = freedBytes;
        _shrinkMeta.ExecuteNonQuery();
        return deleted;
    }

    public void Dispose()
    {
        foreach (IDisposable statement in (IDisposable[])[_begin, _commit, _rollback, _insert, _storedSequence, _advanceMeta, _window, _delete, _shrinkMeta])
        {
            statement.Dispose();
        }
    }

    private SqliteCommand Prepare(string sql)
    {
        SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static SqliteParameter Add(SqliteCommand command, string name, SqliteType type) => command.Parameters.Add(name, type);
}
