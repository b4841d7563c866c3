using System.Net;
using System.Text.Json;
using Herald.Sse;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Herald.Hub.Redis.Tests.Subscriptions;

/// <summary>
/// The active subscriptions across hub nodes on one real Redis: every node lists every node's
/// subscribers, and the end of a dead node's subscriptions is announced by exactly one survivor.
/// </summary>
public sealed class ClusterPresenceTests : RedisTests
{
    private const string Book = "https://example.com/books/{id}";
    private const string SubscriptionTopics = "/.well-known/mercure/subscriptions{/topic}{/subscriber}";
    private static readonly string[] ApiSelectors = [SubscriptionTopics, "/.well-known/mercure/subscriptions"];

    [Fact]
    public async Task Every_node_lists_a_subscriber_of_another_node_until_it_leaves()
    {
        await using HubHost a = await ClusterNode.StartAsync(Redis);
        await using HubHost b = await ClusterNode.StartAsync(Redis);
        await using SseTestClient watcher = await a.SubscribeAsync([SubscriptionTopics], allowed: [SubscriptionTopics]);

        string subscriberId;
        string joinedId;
        await using (SseTestClient subscriber = await b.SubscribeAsync([Book]))
        {
            (JsonDocument joined, joinedId) = await NextAboutAsync(watcher, Book);
            using (joined)
            {
                subscriberId = joined.RootElement.GetProperty("subscriber").GetString()!;
                Assert.True(joined.RootElement.GetProperty("active").GetBoolean());
            }

            // Node A has delivered B's event, so its snapshot holds the subscriber and names that
            // event as the newest: resuming from it misses nothing and repeats nothing.
            using JsonDocument onA = await ListAsync(a, "/.well-known/mercure/subscriptions");
            Assert.Equal(joinedId, onA.RootElement.GetProperty("lastEventID").GetString());
            JsonElement listed = Assert.Single(Subscriptions(onA), s => s.GetProperty("topic").GetString() == Book);
            Assert.Equal(subscriberId, listed.GetProperty("subscriber").GetString());
            Assert.True(listed.GetProperty("active").GetBoolean());

            // The single resource on the other node, and the same list where it is local.
            using JsonDocument one = await ListAsync(a, $"/.well-known/mercure/subscriptions/{Uri.EscapeDataString(Book)}/{Uri.EscapeDataString(subscriberId)}");
            Assert.Equal(subscriberId, one.RootElement.GetProperty("subscriber").GetString());
            using JsonDocument onB = await ListAsync(b, "/.well-known/mercure/subscriptions");
            Assert.Equal(
                Subscriptions(onA).Select(s => s.GetProperty("id").GetString()).Order(),
                Subscriptions(onB).Select(s => s.GetProperty("id").GetString()).Order());
        }

        (JsonDocument left, _) = await NextAboutAsync(watcher, Book);
        using (left)
        {
            Assert.False(left.RootElement.GetProperty("active").GetBoolean());
        }

        // Forgotten before its end was announced: once A delivered the end, A no longer lists it.
        using JsonDocument after = await ListAsync(a, "/.well-known/mercure/subscriptions");
        Assert.DoesNotContain(Subscriptions(after), s => s.GetProperty("subscriber").GetString() == subscriberId);
        using HttpResponseMessage gone = await GetAsync(a, $"/.well-known/mercure/subscriptions/{Uri.EscapeDataString(Book)}/{Uri.EscapeDataString(subscriberId)}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task A_dead_nodes_subscriptions_leave_the_list_and_exactly_one_survivor_announces_their_end()
    {
        await using HubHost dying = await ClusterNode.StartAsync(Redis);
        await using HubHost b = await ClusterNode.StartAsync(Redis);
        await using HubHost c = await ClusterNode.StartAsync(Redis);
        await using SseTestClient watcher = await c.SubscribeAsync([SubscriptionTopics, "https://example.com/marker"], allowed: [SubscriptionTopics]);
        await using SseTestClient subscriber = await dying.SubscribeAsync([Book]);
        (JsonDocument joined, _) = await NextAboutAsync(watcher, Book);
        string subscriberId;
        using (joined)
        {
            subscriberId = joined.RootElement.GetProperty("subscriber").GetString()!;
        }

        using (JsonDocument before = await ListAsync(b, "/.well-known/mercure/subscriptions"))
        {
            Assert.Contains(Subscriptions(before), s => s.GetProperty("subscriber").GetString() == subscriberId);
        }

        // The node's heartbeat stops, as when it hangs or loses its network: its subscriber's
        // connection stays open, and nothing of it announces anything.
        RedisSubscriptionPresence presence = dying.Services.GetRequiredService<RedisSubscriptionPresence>();
        await presence.StopAsync(CancellationToken.None);

        (JsonDocument ended, _) = await NextAboutAsync(watcher, Book, TimeSpan.FromSeconds(15));
        using (ended)
        {
            Assert.Equal(subscriberId, ended.RootElement.GetProperty("subscriber").GetString());
            Assert.False(ended.RootElement.GetProperty("active").GetBoolean());
            Assert.Equal("https://mercure.rocks/", ended.RootElement.GetProperty("@context").GetString());
        }

        foreach (HubHost survivor in new[] { b, c })
        {
            using JsonDocument list = await ListAsync(survivor, "/.well-known/mercure/subscriptions");
            Assert.DoesNotContain(Subscriptions(list), s => s.GetProperty("subscriber").GetString() == subscriberId);
        }

        // Both survivors keep beating and looking for the dead; once each has done so twice more
        // (Redis's node scores move on), a second announcement would already be in the history
        // before the marker.
        IDatabase redis = b.Services.GetRequiredService<RedisEventLog>().Database;
        string[] survivors = [b.Services.GetRequiredService<RedisSubscriptionPresence>().NodeId, c.Services.GetRequiredService<RedisSubscriptionPresence>().NodeId];
        for (int beat = 0; beat < 2; beat++)
        {
            double?[] scores = Scores(redis, survivors);
            await Bounded.UntilAsync(() => Scores(redis, survivors).Zip(scores).All(pair => pair.First > pair.Second), "both survivors beat again");
        }

        Assert.Equal(0, await redis.SortedSetLengthAsync("{herald}:reaping"));
        await c.PublishAsync("https://example.com/marker", "m");
        SseItem next = await watcher.NextEventAsync();
        Assert.Equal("m", next.Data);
    }

    private static double?[] Scores(IDatabase redis, string[] nodes) =>
        [.. nodes.Select(node => redis.SortedSetScore("{herald}:nodes", node))];

    private static async Task<(JsonDocument Resource, string EventId)> NextAboutAsync(SseTestClient watcher, string topic, TimeSpan? timeout = null)
    {
        while (true)
        {
            SseItem item = await watcher.NextEventAsync(timeout);
            JsonDocument document = JsonDocument.Parse(item.Data);
            if (document.RootElement.TryGetProperty("topic", out JsonElement value) && value.GetString() == topic)
            {
                return (document, item.LastEventId);
            }

            document.Dispose();
        }
    }

    private static JsonElement.ArrayEnumerator Subscriptions(JsonDocument list) =>
        list.RootElement.GetProperty("subscriptions").EnumerateArray();

    private static async Task<HttpResponseMessage> GetAsync(HubHost host, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(host.BaseAddress, path));
        request.Headers.Authorization = new("Bearer", TestTokens.Subscriber(ApiSelectors));
        return await host.Client.SendAsync(request);
    }

    private static async Task<JsonDocument> ListAsync(HubHost host, string path)
    {
        using HttpResponseMessage response = await GetAsync(host, path);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body);
    }
}
