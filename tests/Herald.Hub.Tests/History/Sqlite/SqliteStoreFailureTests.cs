using Herald.Hub.History.Sqlite;
using Microsoft.Data.Sqlite;
using static Herald.Hub.Tests.History.Sqlite.TempStore;

namespace Herald.Hub.Tests.History.Sqlite;

/// <summary>A store that cannot be used fails at construction with a message naming the file and
/// the cause, and is never recreated or reset.</summary>
public sealed class SqliteStoreFailureTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_and_left_as_it_was()
    {
        Directory.CreateDirectory(_store.Directory);
        byte[] garbage = new byte[8_192];
        new Random(42).NextBytes(garbage);
        File.WriteAllBytes(_store.DatabasePath, garbage);

        HeraldStoreException failure = Assert.Throws<HeraldStoreException>(() => _store.Open());

        Assert.Contains(_store.DatabasePath, failure.Message, StringComparison.Ordinal);
        Assert.Contains("not a SQLite database", failure.Message, StringComparison.Ordinal);
        Assert.Equal(garbage, File.ReadAllBytes(_store.DatabasePath));
    }

    [Fact]
    public async Task A_store_whose_schema_page_is_overwritten_is_refused_as_corrupt()
    {
        using (SqliteEventLog log = _store.Open())
        {
            await AppendManyAsync(log, 10);
        }

        // Keep SQLite's 100-byte header, so the file still reads as a database, and wreck the rest
        // of page 1, which holds the schema.
        using (FileStream file = File.OpenWrite(_store.DatabasePath))
        {
            file.Position = 100;
            byte[] garbage = new byte[3_996];
            new Random(7).NextBytes(garbage);
            file.Write(garbage);
        }

        HeraldStoreException failure = Assert.Throws<HeraldStoreException>(() => _store.Open());

        Assert.Contains(_store.DatabasePath, failure.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_database_of_another_application_is_refused_and_not_written_into()
    {
        Directory.CreateDirectory(_store.Directory);
        using (var other = new SqliteConnection($"Data Source={_store.DatabasePath};Pooling=False"))
        {
            other.Open();
            using SqliteCommand create = other.CreateCommand();
            create.CommandText = "CREATE TABLE accounts (id INTEGER PRIMARY KEY);";
            create.ExecuteNonQuery();
        }

        HeraldStoreException failure = Assert.Throws<HeraldStoreException>(() => _store.Open());

        Assert.Contains("not a Herald store", failure.Message, StringComparison.Ordinal);
        using var check = new SqliteConnection($"Data Source={_store.DatabasePath};Pooling=False");
        check.Open();
        using SqliteCommand tables = check.CreateCommand();
        tables.CommandText = "SELECT group_concat(name) FROM sqlite_schema;";
        Assert.Equal("accounts", tables.ExecuteScalar());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_database_locked_by_another_connection_holding_BEGIN_EXCLUSIVE_is_refused(bool existingStore)
    {
        if (existingStore)
        {
            using SqliteEventLog log = _store.Open();
            await AppendManyAsync(log, 3);
        }
        else
        {
            Directory.CreateDirectory(_store.Directory);
        }

        using var holder = new SqliteConnection($"Data Source={_store.DatabasePath};Pooling=False");
        holder.Open();
        using SqliteCommand exclusive = holder.CreateCommand();
        exclusive.CommandText = "BEGIN EXCLUSIVE;";
        exclusive.ExecuteNonQuery();

        HeraldStoreException failure = Assert.Throws<HeraldStoreException>(() => _store.Open());

        Assert.Contains(_store.DatabasePath, failure.Message, StringComparison.Ordinal);
        Assert.Contains("locked", failure.Message, StringComparison.Ordinal);

        // Once the other connection lets go, the same store opens.
        exclusive.CommandText = "ROLLBACK;";
        exclusive.ExecuteNonQuery();
        using SqliteEventLog reopened = _store.Open();
        Assert.Equal(existingStore ? 3 : 0, reopened.RetainedCount);
    }

    [Fact]
    public void A_second_log_on_a_directory_in_use_is_refused_until_the_first_is_disposed()
    {
        SqliteEventLog first = _store.Open();

        HeraldStoreException failure = Assert.Throws<HeraldStoreException>(() => _store.Open());
        Assert.Contains(Path.Combine(_store.Directory, SqliteEventLog.LockFileName), failure.Message, StringComparison.Ordinal);
        Assert.Contains("in use", failure.Message, StringComparison.Ordinal);

        first.Dispose();
        using SqliteEventLog second = _store.Open();
        Assert.Null(second.LastEventId);
    }

    [Fact]
    public void A_data_directory_that_cannot_be_created_is_refused()
    {
        // A path under a regular file cannot be a directory, whoever runs the test (root included).
        Directory.CreateDirectory(_store.Directory);
        string file = Path.Combine(_store.Directory, "a-file");
        File.WriteAllText(file, "not a directory");
        var options = _store.Options(o => o.DataDirectory = Path.Combine(file, "data"));

        HeraldStoreException failure = Assert.Throws<HeraldStoreException>(() => new SqliteEventLog(options, _store.Time));

        Assert.Contains(Path.Combine(file, "data"), failure.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be created or written", failure.Message, StringComparison.Ordinal);
    }
}
