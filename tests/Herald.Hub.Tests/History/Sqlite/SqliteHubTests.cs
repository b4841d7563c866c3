using Herald.Hub.History;
using Herald.Hub.History.Sqlite;
using Herald.Hub.Selectors;
using Herald.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Herald.Hub.Tests.History.Sqlite.TempStore;

namespace Herald.Hub.Tests.History.Sqlite;

/// <summary>The durable log under the hub's group commit, and its registration.</summary>
public sealed class SqliteHubTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Concurrent_publishes_through_the_hub_are_all_stored_with_distinct_ids()
    {
        const int Publishers = 64;
        string[] ids;
        using (SqliteEventLog log = new(_store.Options(o => o.Durability = SqliteDurability.Full), TimeProvider.System))
        {
            using var hub = new HeraldHub(log, Options.Create(new HeraldOptions()), TimeProvider.System, new TopicSelectorCache());
            using CancellationTokenSource bound = Bounded.Wait();
            ids = await Task.WhenAll(Enumerable.Range(0, Publishers).Select(i =>
                Task.Run(() => hub.PublishAsync(new Update(["https://example.com/t"], $"publish {i}"), bound.Token).AsTask())));
        }

        Assert.Equal(Publishers, ids.Distinct().Count());
        using SqliteEventLog reopened = _store.Open();
        List<LoggedUpdate> stored = await ReadAllAsync(reopened);
        Assert.Equal(Enumerable.Range(1, Publishers).Select(i => (long)i), stored.Select(u => u.Sequence));
        Assert.Equal(ids.Order(StringComparer.Ordinal), stored.Select(u => u.Update.Id));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AddHeraldSqlite_replaces_the_memory_log_in_either_order_and_binds_its_section(bool sqliteFirst)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Herald:Sqlite:DataDirectory"] = _store.Directory,
            ["Herald:Sqlite:MaxEvents"] = "1234",
            ["Herald:Sqlite:Durability"] = "Normal",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        if (sqliteFirst)
        {
            services.AddHeraldSqlite(o => o.RecentCapacity = 5);
            services.AddHerald();
        }
        else
        {
            services.AddHerald();
            services.AddHeraldSqlite(o => o.RecentCapacity = 5);
        }

        using (ServiceProvider provider = services.BuildServiceProvider())
        {
            SqliteEventLogOptions options = provider.GetRequiredService<IOptions<SqliteEventLogOptions>>().Value;
            Assert.Equal((1234L, SqliteDurability.Normal, 5), (options.MaxEvents, options.Durability, options.RecentCapacity));
            SqliteEventLog log = Assert.IsType<SqliteEventLog>(provider.GetRequiredService<IEventLog>());
            Assert.Same(log, provider.GetRequiredService<HeraldHub>().Log);
            Assert.Equal(Path.Combine(_store.Directory, SqliteEventLog.DatabaseFileName), log.DatabasePath);
        }

        // Disposing the services closed the store: it opens again.
        using SqliteEventLog reopened = _store.Open();
        Assert.Null(reopened.LastEventId);
    }
}
