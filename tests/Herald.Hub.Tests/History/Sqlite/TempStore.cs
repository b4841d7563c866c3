using Herald.Hub.History;
using Herald.Hub.History.Sqlite;
using Herald.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Hub.Tests.History.Sqlite;

/// <summary>A data directory of its own for one test, deleted with everything in it afterwards,
/// and shorthands to open logs on it.</summary>
internal sealed class TempStore : IDisposable
{
    private readonly TempDirectory _directory = new();

    public string Directory => _directory.Path;

    public string DatabasePath => Path.Combine(Directory, SqliteEventLog.DatabaseFileName);

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));

    public SqliteEventLogOptions Options(Action<SqliteEventLogOptions>? configure = null)
    {
        var options = new SqliteEventLogOptions
        {
            DataDirectory = Directory,
            Durability = SqliteDurability.Normal,
            LockTimeout = TimeSpan.FromSeconds(1),
        };
        configure?.Invoke(options);
        return options;
    }

    public SqliteEventLog Open(Action<SqliteEventLogOptions>? configure = null) => new(Options(configure), Time);

    public void Dispose() => _directory.Dispose();

    public static Update Event(string data, string? id = null) => new(["t"], data, id);

    public static async Task<AppendOutcome[]> AppendAsync(IEventLog log, params Update[] updates) =>
        await log.AppendAsync(updates, CancellationToken.None);

    /// <summary>Appends <paramref name="count"/> events without ids, in batches of <paramref name="batch"/>.</summary>
    public static async Task<List<Update>> AppendManyAsync(IEventLog log, int count, int batch = 100, string prefix = "e")
    {
        var all = new List<Update>(count);
        for (int start = 0; start < count; start += batch)
        {
            Update[] updates = [.. Enumerable.Range(start, Math.Min(batch, count - start)).Select(i => Event(prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))];
            await log.AppendAsync(updates, CancellationToken.None);
            all.AddRange(updates);
        }

        return all;
    }

    /// <summary>Reads every retained update from <paramref name="after"/> in pages of <paramref name="page"/>.</summary>
    public static async Task<List<LoggedUpdate>> ReadAllAsync(IEventLog log, long after = 0, int page = 256)
    {
        var all = new List<LoggedUpdate>();
        while (true)
        {
            IReadOnlyList<LoggedUpdate> read = await log.ReadAsync(after, page, CancellationToken.None);
            Assert.True(read.Count <= page);
            if (read.Count == 0)
            {
                return all;
            }

            all.AddRange(read);
            after = read[^1].Sequence;
        }
    }
}
