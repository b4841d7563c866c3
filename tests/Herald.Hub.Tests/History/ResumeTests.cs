using System.Text.Json;
using Herald.Hub.History;
using Herald.Hub.History.Sqlite;
using Herald.Sse;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Hub.Tests.History;

public sealed class ResumeTests
{
    private const string Topic = "https://example.com/feed";

    [Fact]
    public async Task Reconnecting_with_Last_Event_ID_replays_exactly_the_missed_events_then_goes_live()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        await host.PublishAsync("https://example.com/other", "not selected");
        string seen;
        await using (SseTestClient first = await host.SubscribeAsync([Topic]))
        {
            await host.PublishAsync(Topic, "1");
            seen = (await first.NextEventAsync()).LastEventId;
        }

        await host.PublishAsync(Topic, "2");
        await host.PublishAsync("https://example.com/other", "still not selected");
        await host.PublishAsync(Topic, "3");

        await using SseTestClient resumed = await host.SubscribeAsync([Topic], lastEventId: seen);
        await host.PublishAsync(Topic, "4");

        Assert.Equal(seen, resumed.Response.Headers.GetValues("Last-Event-ID").Single());
        Assert.Equal(["2", "3", "4"], (await resumed.NextEventsAsync(3)).Select(e => e.Data));
    }

    [Fact]
    public async Task Earliest_replays_everything_retained_in_order()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        for (int i = 1; i <= 5; i++)
        {
            await host.PublishAsync(Topic, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await using SseTestClient subscriber = await SseTestClient.ConnectAsync(host.Client, host.SubscribeUrl([Topic], lastEventId: "earliest"));

        Assert.Equal("earliest", subscriber.Response.Headers.GetValues("Last-Event-ID").Single());
        Assert.Equal(["1", "2", "3", "4", "5"], (await subscriber.NextEventsAsync(5)).Select(e => e.Data));
    }

    [Fact]
    public async Task The_header_wins_over_the_query_parameter()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        string one = await host.PublishAsync(Topic, "1");
        string two = await host.PublishAsync(Topic, "2");
        await host.PublishAsync(Topic, "3");

        await using SseTestClient subscriber = await SseTestClient.ConnectAsync(host.Client, host.SubscribeUrl([Topic], lastEventId: one), lastEventId: two);

        Assert.Equal("3", (await subscriber.NextEventAsync()).Data);
    }

    [Theory]
    [InlineData("never-published")]
    [InlineData("evicted")]
    public async Task An_unknown_or_evicted_id_gets_herald_reset_in_band_then_everything_retained(string requested)
    {
        await using HubHost host = await HubHost.StartAsync(o => { o.AllowAnonymous = true; o.HistorySize = 3; });
        await host.PublishAsync(Topic, "0", id: "evicted");
        string first = await host.PublishAsync(Topic, "1");
        await host.PublishAsync(Topic, "2");
        await host.PublishAsync(Topic, "3");

        await using SseTestClient subscriber = await host.SubscribeAsync([Topic], lastEventId: requested);
        SseItem reset = await subscriber.NextEventAsync();
        using JsonDocument notice = JsonDocument.Parse(reset.Data);

        Assert.Equal("earliest", subscriber.Response.Headers.GetValues("Last-Event-ID").Single());
        Assert.Equal("herald-reset", reset.Type);
        Assert.Equal(requested, notice.RootElement.GetProperty("requested").GetString());
        Assert.Equal("earliest", notice.RootElement.GetProperty("from").GetString());
        Assert.Equal(first, notice.RootElement.GetProperty("firstRetainedId").GetString());
        Assert.Equal(["1", "2", "3"], (await subscriber.NextEventsAsync(3)).Select(e => e.Data));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Publishing_continuously_during_replays_loses_and_duplicates_nothing(bool sqlite)
    {
        const int total = 3000;
        using var data = new TempDirectory();
        await using HubHost host = await HubHost.StartAsync(
            o => { o.AllowAnonymous = true; o.HistorySize = total; o.SubscriberQueueCapacity = total; },
            services =>
            {
                if (sqlite)
                {
                    // A tail of 100: almost all of each replay is read from the database, page by page.
                    services.AddHeraldSqlite(store => { store.DataDirectory = data.Path; store.RecentCapacity = 100; store.Durability = SqliteDurability.Normal; });
                }
            });
        Assert.Equal(sqlite, host.Services.GetRequiredService<IEventLog>() is SqliteEventLog);
        var published = new List<string>(total);
        var halfway = new TaskCompletionSource();
        Task publisher = Task.Run(async () =>
        {
            for (int i = 0; i < total; i++)
            {
                published.Add(await host.PublishAsync(Topic, i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                if (i == total / 3)
                {
                    halfway.SetResult();
                }
            }
        });

        // Subscribers join while the publisher runs: each replays what exists, then switches to
        // live delivery in the middle of the stream.
        await halfway.Task.WaitAsync(Bounded.DefaultWait);
        var subscribers = new List<SseTestClient>();
        for (int i = 0; i < 4; i++)
        {
            subscribers.Add(await host.SubscribeAsync([Topic], lastEventId: "earliest"));
        }

        await publisher.WaitAsync(TimeSpan.FromSeconds(60));
        foreach (SseTestClient subscriber in subscribers)
        {
            List<SseItem> events = await subscriber.NextEventsAsync(total);
            Assert.Equal(published, events.Select(e => e.LastEventId));
            await host.PublishAsync(Topic, "after");
            Assert.Equal("after", (await subscriber.NextEventAsync()).Data);
            await subscriber.DisposeAsync();
        }
    }
}
