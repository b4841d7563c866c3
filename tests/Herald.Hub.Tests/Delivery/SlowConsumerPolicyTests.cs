using System.Text.Json;
using Herald.Hub.Delivery;
using Herald.Sse;
using Herald.Testing;

namespace Herald.Hub.Tests.Delivery;

/// <summary>
/// Each slow-consumer policy against a real subscriber that stops reading (a raw socket whose
/// buffers fill), on real Kestrel: what gives way when its queue is full.
/// </summary>
public sealed class SlowConsumerPolicyTests
{
    private const int QueueCapacity = 8;
    private const int MaxRounds = 500;
    private const string Prices = "https://example.com/prices/{symbol}";
    private static readonly string[] Symbols = ["A", "B", "C"];
    private static readonly string Ballast = new('x', 64 * 1024);

    private static string Price(string symbol) => $"https://example.com/prices/{symbol}";

    [Fact]
    public async Task Disconnect_closes_the_stalled_connection_and_its_resume_gets_every_update_in_order()
    {
        await using HubHost host = await HubHost.StartAsync(o => { o.AllowAnonymous = true; o.SubscriberQueueCapacity = QueueCapacity; });
        await using StalledSubscriber stalled = await StalledSubscriber.ConnectAsync(host, "feed");
        Assert.Equal(SlowConsumerPolicy.Disconnect, stalled.HubSide.SlowConsumerPolicy);
        string marker = await host.PublishAsync("feed", "marker");
        await stalled.ReadThroughAsync(marker);

        var published = new List<string>();
        while (host.Hub.SubscriberCount > 0)
        {
            Assert.True(published.Count < MaxRounds, "the stalled subscriber was never disconnected");
            published.Add(await host.PublishAsync("feed", $"{published.Count}:{Ballast}"));
        }

        Assert.Equal(SubscriberCloseReason.QueueOverflow, stalled.HubSide.CloseReason);

        // The connection is gone: reading what is left ends instead of waiting for more.
        while (await stalled.NextEventAsync() is not null)
        {
        }

        await using SseTestClient resumed = await host.SubscribeAsync(["feed"], lastEventId: marker);
        foreach (string id in published)
        {
            Assert.Equal(id, (await resumed.NextEventAsync()).LastEventId);
        }
    }

    [Fact]
    public async Task DropOldest_keeps_the_subscriber_connected_and_names_each_gap_in_a_reset_before_the_newer_updates()
    {
        await using HubHost host = await HubHost.StartAsync(o =>
        {
            o.AllowAnonymous = true;
            o.SubscriberQueueCapacity = QueueCapacity;
            o.SlowConsumerPolicy = SlowConsumerPolicy.DropOldest;
        });
        await using StalledSubscriber stalled = await StalledSubscriber.ConnectAsync(host, "feed");

        var published = new List<string>();
        while (stalled.HubSide.DroppedUpdates == 0)
        {
            Assert.True(published.Count < MaxRounds, "the stalled subscriber's queue never overflowed");
            published.Add(await host.PublishAsync("feed", $"{published.Count}:{Ballast}"));
        }

        for (int i = 0; i < 3; i++)
        {
            published.Add(await host.PublishAsync("feed", $"{published.Count}:after"));
        }

        Assert.Equal(1, host.Hub.SubscriberCount);
        Assert.Equal(SubscriberCloseReason.None, stalled.HubSide.CloseReason);

        // Every update is either read in order or named by the reset that stands in its place.
        List<SseItem> events = await stalled.ReadThroughAsync(published[^1]);
        int next = 0;
        int resets = 0;
        long missed = 0;
        foreach (SseItem item in events)
        {
            if (item.Type == "herald-reset")
            {
                using JsonDocument notice = JsonDocument.Parse(item.Data);
                JsonElement root = notice.RootElement;
                Assert.Equal("slow-consumer", root.GetProperty("reason").GetString());
                int count = root.GetProperty("missed").GetInt32();
                Assert.True(count > 0);
                Assert.Equal(published[next], root.GetProperty("firstMissedId").GetString());
                Assert.Equal(published[next + count - 1], root.GetProperty("lastMissedId").GetString());
                next += count;
                missed += count;
                resets++;
                continue;
            }

            Assert.Equal(published[next], item.LastEventId);
            next++;
        }

        Assert.Equal(published.Count, next);
        Assert.True(resets > 0, "no herald-reset was sent");
        Assert.Equal(stalled.HubSide.DroppedUpdates, missed);

        // Still connected: the next update arrives on the same stream.
        string later = await host.PublishAsync("feed", "later");
        Assert.Equal(later, (await stalled.NextEventAsync())?.LastEventId);
    }

    [Fact]
    public async Task Latest_keeps_the_subscriber_connected_and_ends_with_the_newest_value_of_each_topic()
    {
        await using HubHost host = await HubHost.StartAsync(o =>
        {
            o.AllowAnonymous = true;
            o.SubscriberQueueCapacity = QueueCapacity;
            o.SlowConsumerPolicy = SlowConsumerPolicy.Latest;
        });
        await using StalledSubscriber stalled = await StalledSubscriber.ConnectAsync(host, Prices);

        (List<string> published, Dictionary<string, string> newest) = await FloodPricesAsync(host, () => stalled.HubSide.SupersededUpdates >= 3 * QueueCapacity);
        Assert.Equal(SubscriberCloseReason.None, stalled.HubSide.CloseReason);

        // What arrives is in log order, never a reset (three topics always conflate), fewer
        // updates than were published, and each topic's last is its newest value.
        List<SseItem> events = await ReadNewestAsync(stalled, newest);
        List<int> positions = [.. events.Select(e => published.IndexOf(e.LastEventId))];
        Assert.DoesNotContain(events, e => e.Type == "herald-reset");
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
        Assert.True(events.Count < published.Count);
        Assert.Equal(0, stalled.HubSide.DroppedUpdates);
        foreach (string symbol in Symbols)
        {
            Assert.Equal($"{symbol}:final", events.Last(e => e.Data.StartsWith($"{symbol}:", StringComparison.Ordinal)).Data);
        }

        string later = await host.PublishAsync(Price("A"), "A:later");
        Assert.Equal(later, (await stalled.NextEventAsync())?.LastEventId);
    }

    [Fact]
    public async Task A_rule_gives_its_selector_its_policy_and_a_subscription_with_several_selectors_gets_the_strictest()
    {
        await using HubHost host = await HubHost.StartAsync(o =>
        {
            o.AllowAnonymous = true;
            o.SubscriberQueueCapacity = QueueCapacity;
            o.SlowConsumerRules.Add(new SlowConsumerRule { Selector = Prices, Policy = SlowConsumerPolicy.Latest });
        });
        await using StalledSubscriber prices = await StalledSubscriber.ConnectAsync(host, Prices);
        await using StalledSubscriber mixed = await StalledSubscriber.ConnectAsync(host, Prices, "https://example.com/orders");
        Assert.Equal(SlowConsumerPolicy.Latest, prices.HubSide.SlowConsumerPolicy);
        Assert.Equal(SlowConsumerPolicy.Disconnect, mixed.HubSide.SlowConsumerPolicy);

        (_, Dictionary<string, string> newest) = await FloodPricesAsync(
            host,
            () => mixed.HubSide.CloseReason == SubscriberCloseReason.QueueOverflow && prices.HubSide.SupersededUpdates > 0);

        Assert.Equal(SubscriberCloseReason.None, prices.HubSide.CloseReason);
        List<SseItem> events = await ReadNewestAsync(prices, newest);
        Assert.DoesNotContain(events, e => e.Type == "herald-reset");
    }

    [Fact]
    public void A_subscription_gets_the_first_matching_rule_per_selector_and_the_strictest_of_those()
    {
        var options = new HeraldOptions { SlowConsumerPolicy = SlowConsumerPolicy.DropOldest };
        options.SlowConsumerRules.Add(new SlowConsumerRule { Selector = "https://example.com/prices/{symbol}", Policy = SlowConsumerPolicy.Latest });
        options.SlowConsumerRules.Add(new SlowConsumerRule { Selector = "https://example.com/prices/A", Policy = SlowConsumerPolicy.Disconnect });
        options.SlowConsumerRules.Add(new SlowConsumerRule { Selector = "https://example.com/audit", Policy = SlowConsumerPolicy.Disconnect });
        var cache = new Herald.Hub.Selectors.TopicSelectorCache();
        var policies = new SlowConsumerPolicies(options, cache);
        SlowConsumerPolicy For(params string[] selectors) => policies.For([.. selectors.Select(cache.Get)]);

        // A template rule matches the topics it expands to and the same template; the first rule wins.
        Assert.Equal(SlowConsumerPolicy.Latest, For("https://example.com/prices/A"));
        Assert.Equal(SlowConsumerPolicy.Latest, For("https://example.com/prices/{symbol}"));
        // No rule: the hub's default. * is not a price topic, so the template rule does not cover it.
        Assert.Equal(SlowConsumerPolicy.DropOldest, For("https://example.com/news"));
        Assert.Equal(SlowConsumerPolicy.DropOldest, For("*"));
        // Several selectors: the strictest.
        Assert.Equal(SlowConsumerPolicy.DropOldest, For("https://example.com/prices/A", "https://example.com/news"));
        Assert.Equal(SlowConsumerPolicy.Disconnect, For("https://example.com/prices/B", "https://example.com/audit"));
        Assert.Equal(SlowConsumerPolicy.Disconnect, new SlowConsumerPolicies(new HeraldOptions(), cache).For([cache.Get("*")]));
    }

    /// <summary>Publishes rounds of large prices for A, B and C until <paramref name="enough"/>,
    /// then a small final value for each.</summary>
    private static async Task<(List<string> Published, Dictionary<string, string> Newest)> FloodPricesAsync(HubHost host, Func<bool> enough)
    {
        var published = new List<string>();
        var newest = new Dictionary<string, string>();
        for (int round = 0; !enough(); round++)
        {
            Assert.True(round < MaxRounds, "the stalled subscribers' queues never filled");
            foreach (string symbol in Symbols)
            {
                published.Add(await host.PublishAsync(Price(symbol), $"{symbol}:{round}:{Ballast}"));
            }
        }

        foreach (string symbol in Symbols)
        {
            newest[symbol] = await host.PublishAsync(Price(symbol), $"{symbol}:final");
            published.Add(newest[symbol]);
        }

        return (published, newest);
    }

    /// <summary>Reads until every topic's newest update has arrived.</summary>
    private static async Task<List<SseItem>> ReadNewestAsync(StalledSubscriber stalled, Dictionary<string, string> newest)
    {
        var events = new List<SseItem>();
        var pending = new HashSet<string>(newest.Values);
        while (pending.Count > 0)
        {
            SseItem item = await stalled.NextEventAsync() ?? throw new InvalidOperationException($"The stream ended with {pending.Count} newest values unread.");
            events.Add(item);
            pending.Remove(item.LastEventId);
        }

        return events;
    }
}
