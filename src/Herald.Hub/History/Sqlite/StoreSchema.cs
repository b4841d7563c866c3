using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Herald.Hub.History.Sqlite;

/// <summary>
/// The store's tables, created in a new database and checked in an existing one. A database that
/// has tables but is not a Herald store is refused rather than written into.
/// </summary>
internal static class StoreSchema
{
    /// <summary>The schema version, in <c>PRAGMA user_version</c>.</summary>
    public const long Version = 1;

    // The sequence is the rowid, so range reads and retention deletes walk the table's own B-tree.
    // The small columns come first: retention reads commit times and sizes without touching the
    // overflow pages of large data. 'committed' is non-decreasing with 'seq', so age retention
    // needs no index of its own.
    private const string Create = """
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            committed INTEGER NOT NULL,
            size INTEGER NOT NULL,
            private INTEGER NOT NULL,
            retry INTEGER,
            id TEXT NOT NULL,
            type TEXT,
            topic TEXT NOT NULL,
            alternates TEXT,
            data TEXT NOT NULL
        );
        CREATE UNIQUE INDEX events_id ON events (id);
        CREATE TABLE meta (
            singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
            last_seq INTEGER NOT NULL,
            last_ms INTEGER NOT NULL,
            total_bytes INTEGER NOT NULL
        );
        INSERT INTO meta (singleton, last_seq, last_ms, total_bytes) VALUES (1, 0, 0, 0);
        """;

    /// <summary>What the store holds, read at open from the meta row and the ends of the rowid B-tree.</summary>
    /// <param name="LastSequence">The last sequence ever assigned (it survives the deletion of its row).</param>
    /// <param name="LastMilliseconds">The commit time of the last batch, so generated ids stay ordered if the clock goes back.</param>
    /// <param name="TotalBytes">The running total of the retained rows' sizes.</param>
    /// <param name="OldestSequence">The oldest retained sequence, or 0 when empty.</param>
    public readonly record struct State(long LastSequence, long LastMilliseconds, long TotalBytes, long OldestSequence);

    /// <summary>Creates the tables in an empty database, or checks an existing one is a Herald store,
    /// in one write transaction, which also proves no other connection holds the write lock.</summary>
    /// <exception cref="HeraldStoreException">The database is not a Herald store, or of a newer version.</exception>
    public static State CreateOrCheck(SqliteConnection connection, string path)
    {
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        long version = Scalar(connection, "PRAGMA user_version;");
        if (version == 0)
        {
            if (Scalar(connection, "SELECT count(*) FROM sqlite_schema;") != 0)
            {
                throw new HeraldStoreException(
                    $"'{path}' is a SQLite database but not a Herald store (it has tables of its own). Give Herald another data directory, or move the file away; Herald never writes into it.");
            }

            Execute(connection, Create + $"PRAGMA user_version = {Version.ToString(CultureInfo.InvariantCulture)};");
        }
        else if (version != Version)
        {
            throw new HeraldStoreException(
                $"'{path}' is a Herald store of schema version {version.ToString(CultureInfo.InvariantCulture)}, which this version of Herald (schema {Version.ToString(CultureInfo.InvariantCulture)}) cannot read. Run the Herald version that wrote it, or move the file away to start an empty store.");
        }

        State state;
        using (SqliteCommand command = connection.CreateCommand())
        {
            // MIN and MAX of a rowid are one B-tree descent each, not scans.
            command.CommandText = "SELECT last_seq, last_ms, total_bytes, (SELECT min(seq) FROM events), (SELECT max(seq) FROM events) FROM meta WHERE singleton = 1;";
            using SqliteDataReader reader = command.ExecuteReader();
            if (!reader.Read())
            {
                throw new HeraldStoreException($"The Herald store '{path}' has lost its meta row. Restore it from a backup, or move it away to start an empty store.");
            }

            long maxSequence = reader.IsDBNull(4) ? 0 : reader.GetInt64(4);
            state = new State(
                LastSequence: Math.Max(reader.GetInt64(0), maxSequence),
                LastMilliseconds: reader.GetInt64(1),
                TotalBytes: reader.GetInt64(2),
                OldestSequence: reader.IsDBNull(3) ? 0 : reader.GetInt64(3));
        }

        transaction.Commit();
        return state;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
