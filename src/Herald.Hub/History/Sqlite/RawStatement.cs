using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Herald.Hub.History.Sqlite;

/// <summary>
/// A statement prepared once on a connection's native handle and stepped directly. The append path
/// runs a few statements per update; binding natively skips the ADO.NET parameter and data-reader
/// objects of every execution, which measurably raises the events committed per second.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;

    public RawStatement(sqlite3 database, string sql)
    {
        _database = database;
        int result = raw.sqlite3_prepare_v2(database, sql, out _statement);
        if (result != raw.SQLITE_OK)
        {
            _statement.Dispose();
            throw Failure(result);
        }
    }

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    public void Bind(int index, long? value) =>
        Check(value is { } present ? raw.sqlite3_bind_int64(_statement, index, present) : raw.sqlite3_bind_null(_statement, index));

    /// <summary>Binds text as UTF-16, which SQLite copies and converts itself: no managed encoding buffer.</summary>
    public void Bind(int index, string? value) =>
        Check(value is not null ? raw.sqlite3_bind_text16(_statement, index, value) : raw.sqlite3_bind_null(_statement, index));

    /// <summary>Runs a statement that returns no rows; returns how many rows it changed.</summary>
    public int Execute()
    {
        int result = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        return result == raw.SQLITE_DONE ? raw.sqlite3_changes(_database) : throw Failure(result);
    }

    /// <summary>Runs a query for one integer; <see langword="null"/> when it returns no row.</summary>
    public long? QueryInt64()
    {
        int result = raw.sqlite3_step(_statement);
        long? value = result == raw.SQLITE_ROW ? raw.sqlite3_column_int64(_statement, 0) : null;
        raw.sqlite3_reset(_statement);
        return result is raw.SQLITE_ROW or raw.SQLITE_DONE ? value : throw Failure(result);
    }

    public void Dispose() => _statement.Dispose();

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK)
        {
            throw Failure(result);
        }
    }

    private SqliteException Failure(int result) => new(
        $"SQLite Error {result}: '{raw.sqlite3_errmsg(_database).utf8_to_string()}'.",
        result,
        raw.sqlite3_extended_errcode(_database));
}
