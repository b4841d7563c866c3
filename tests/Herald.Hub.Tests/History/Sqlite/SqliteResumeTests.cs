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

    [Fact]
    public async Task Resuming_from_an_id_retention_evicted_gets_herald_reset_then_what_is_retained()
    {
        using var data = new TempDirectory();
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true, services => services.AddHeraldSqlite(store =>
        {
            store.DataDirectory = data.Path;
            store.MaxEvents = 3;
            store.RecentCapacity = 2;
        }));
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
