using Microsoft.Data.Sqlite;

namespace Herald.Hub.History.Sqlite;

/// <summary>
/// One read-only connection with its prepared statements, used by one reader at a time. In WAL
/// mode it reads a consistent snapshot without blocking the writer or being blocked by it.
/// </summary>
internal sealed class ReadSession : IDisposable
{
    /// <summary>The columns <see cref="ReadUpdate"/> expects, in its order.</summary>
    public const string Columns = "seq, id, type, retry, private, topic, alternates, data";

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _range;
    private readonly SqliteParameter _after;
    private readonly SqliteParameter _limit;
    private readonly SqliteCommand _find;
    private readonly SqliteParameter _id;

    public ReadSession(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        try
        {
            _connection.Open();
            _range = _connection.CreateCommand();
            _range.CommandText = $"SELECT {Columns} FROM events WHERE seq > $after ORDER BY seq LIMIT $limit;";
            _after = _range.Parameters.Add("$after", SqliteType.Integer);
            _limit = _range.Parameters.Add("$limit", SqliteType.Integer);
            _range.Prepare();

            _find = _connection.CreateCommand();
            _find.CommandText = "SELECT seq FROM events WHERE id = $id;";
            _id = _find.Parameters.Add("$id", SqliteType.Text);
            _find.Prepare();
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>The retained updates after <paramref name="afterSequence"/>, at most <paramref name="limit"/>, in order.</summary>
    public List<LoggedUpdate> Read(long afterSequence, int limit)
    {
        _after.Value = afterSequence;
        _limit.Value = limit;
        var page = new List<LoggedUpdate>(Math.Min(limit, 256));
        using SqliteDataReader reader = _range.ExecuteReader();
        while (reader.Read())
        {
            page.Add(ReadUpdate(reader));
        }

        return page;
    }

    /// <summary>The sequence of the retained update with this id, or 0.</summary>
    public long Find(string id)
    {
        _id.Value = id;
        object? sequence = _find.ExecuteScalar();
        return sequence is long found ? found : 0;
    }

    /// <summary>Reads the current row of a query that selected <see cref="Columns"/>.</summary>
    public static LoggedUpdate ReadUpdate(SqliteDataReader reader)
    {
        var update = new Update(
            TopicCodec.Decode(reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)),
            reader.GetString(7),
            reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetInt64(3),
            reader.GetInt64(4) != 0);
        return new LoggedUpdate(reader.GetInt64(0), update);
    }

    public void Dispose()
    {
        _range.Dispose();
        _find.Dispose();
        _connection.Dispose();
    }
}
