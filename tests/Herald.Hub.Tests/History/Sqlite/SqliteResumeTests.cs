using System.Globalization;
using System.Text.Json;
using Herald.Hub.History;
using Herald.Hub.History.Sqlite;
using Herald.Sse;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Hub.Tests.History.Sqlite;

/// <summary>Resuming through the hub's HTTP endpoint when the history is the SQLite store.</summary>
public sealed class SqliteResumeTests
{
    private const string Topic = "https://example.com/feed";

    private static Task<HubHost> StartAsync(TempDirectory data, Action<SqliteEventLogOptions>? configure = null) =>
        HubHost.StartAsync(o => o.AllowAnonymous = true, services => services.AddHeraldSqlite(store =>
        {
            store.DataDirectory = data.Path;
            store.Durability = SqliteDurability.Normal;
            configure?.Invoke(store);
        }));

    [Fact]
    public async Task Replays_read_from_disk_while_publishing_continues_lose_and_duplicate_nothing()
    {
        const int total = 3000;
        using var data = new TempDirectory();
        // A tail of 100: almost all of each replay is read from the database, page by page.
        await using HubHost host = await StartAsync(data, store => store.RecentCapacity = 100);
        var published = new List<string>(total);
        var third = new TaskCompletionSource();
        Task publisher = Task.Run(async () =>
        {
            for (int i = 0; i < total; i++)
            {
                published.Add(await host.PublishAsync(Topic, i.ToString(CultureInfo.InvariantCulture)));
                if (i == total / 3)
                {
                    third.SetResult();
                }
            }
        });

        await third.Task.WaitAsync(Bounded.DefaultWait);
        var subscribers = new List<SseTestClient>();
        for (int i = 0; i < 3; i++)
        {
            subscribers.Add(await host.SubscribeAsync([Topic], lastEventId: "earliest"));
        }

        await publisher.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.IsType<SqliteEventLog>(host.Services.GetRequiredService<IEventLog>());
        foreach (SseTestClient subscriber in subscribers)
        {
            Assert.Equal(published, (await subscriber.NextEventsAsync(total)).Select(e => e.LastEventId));
            await subscriber.DisposeAsync();
        }
    }

    [Fact]
    public async Task Resuming_from_an_id_retention_evicted_gets_herald_reset_then_what_is_retained()
    {
        using var data = new TempDirectory();
        await using HubHost host = await StartAsync(data, store => { store.MaxEvents = 3; store.RecentCapacity = 2; });
        string evicted = await host.PublishAsync(Topic, "0");
        for (int i = 1; i <= 4; i++)
        {
            await host.PublishAsync(Topic, i.ToString(CultureInfo.InvariantCulture));
        }

        var log = (SqliteEventLog)host.Services.GetRequiredService<IEventLog>();
        await log.EnforceRetentionAsync();

        await using SseTestClient subscriber = await host.SubscribeAsync([Topic], lastEventId: evicted);
        SseItem reset = await subscriber.NextEventAsync();
        using JsonDocument notice = JsonDocument.Parse(reset.Data);

        Assert.Equal("herald-reset", reset.Type);
        Assert.Equal(evicted, notice.RootElement.GetProperty("requested").GetString());
        Assert.Equal(["2", "3", "4"], (await subscriber.NextEventsAsync(3)).Select(e => e.Data));
    }
}
