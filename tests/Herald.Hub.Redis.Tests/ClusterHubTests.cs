using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Hub.Redis.Tests;

/// <summary>Hubs embedded in two applications on one Redis: two nodes of one hub.</summary>
public sealed class ClusterHubTests : RedisTests
{
    private const string Topic = "https://example.com/orders/1";
    private HubHost _one = null!;
    private HubHost _two = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _one = await StartNodeAsync();
        _two = await StartNodeAsync();
    }

    public override async Task DisposeAsync()
    {
        await _one.DisposeAsync();
        await _two.DisposeAsync();
        await base.DisposeAsync();
    }

    private Task<HubHost> StartNodeAsync() => HubHost.StartAsync(
        options => options.AllowAnonymous = true,
        services => services.AddHeraldRedis(redis =>
        {
            redis.Configuration = Redis.Url;
            redis.FollowWait = TimeSpan.FromMilliseconds(500);
        }));

    [Fact]
    public async Task An_update_published_on_one_node_reaches_subscribers_of_both_with_the_same_id()
    {
        await using SseTestClient onOne = await _one.SubscribeAsync([Topic]);
        await using SseTestClient onTwo = await _two.SubscribeAsync([Topic]);

        string id = await _one.PublishAsync(Topic, "hello");

        Assert.Equal(("hello", id), Describe(await onOne.NextEventAsync()));
        Assert.Equal(("hello", id), Describe(await onTwo.NextEventAsync()));
    }

    [Fact]
    public async Task A_publish_retried_on_the_other_node_with_its_id_is_answered_with_it_and_not_delivered_again()
    {
        await using SseTestClient subscriber = await _two.SubscribeAsync([Topic]);

        string first = await _one.PublishAsync(Topic, "once", id: "order-17");
        string retried = await _two.PublishAsync(Topic, "once", id: "order-17");
        string generated = await _one.PublishAsync(Topic, "next");
        string generatedRetried = await _two.PublishAsync(Topic, "next", id: generated);
        await _two.PublishAsync(Topic, "last");

        Assert.Equal(("order-17", "order-17", generated), (first, retried, generatedRetried));
        Assert.Equal(["once", "next", "last"], (await subscriber.NextEventsAsync(3)).Select(e => e.Data));
        await using SseTestClient replay = await _one.SubscribeAsync([Topic], lastEventId: "earliest");
        Assert.Equal(["once", "next", "last"], (await replay.NextEventsAsync(3)).Select(e => e.Data));
    }

    [Fact]
    public async Task A_last_event_id_from_one_node_resumes_on_the_other()
    {
        string[] ids = new string[5];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = await _one.PublishAsync(Topic, $"event {i}");
        }

        await using SseTestClient resumed = await _two.SubscribeAsync([Topic], lastEventId: ids[1]);

        Assert.Equal([("event 2", ids[2]), ("event 3", ids[3]), ("event 4", ids[4])], (await resumed.NextEventsAsync(3)).Select(Describe));
        Assert.Equal(ids[1], resumed.Response.Headers.GetValues("Last-Event-ID").Single());
    }

    [Fact]
    public async Task While_Redis_is_down_publishes_get_503_and_subscribers_stay_to_be_caught_up_in_order()
    {
        await using SseTestClient subscriber = await _two.SubscribeAsync([Topic]);
        string before = await _one.PublishAsync(Topic, "before");
        Assert.Equal(("before", before), Describe(await subscriber.NextEventAsync()));

        await Redis.KillAsync();
        using HttpResponseMessage refused = await _one.PostAsync([new("topic", Topic), new("data", "during")]);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null);

        await Redis.StartAgainAsync();
        for (int i = 0; i < 3; i++)
        {
            await PublishOnceRedisIsBackAsync(_one, $"after {i}");
        }

        Assert.Equal(["after 0", "after 1", "after 2"], (await subscriber.NextEventsAsync(3)).Select(e => e.Data));
        Assert.False(subscriber.Ended.IsCompleted);
    }

    [Fact]
    public async Task A_node_started_while_Redis_is_down_holds_subscribers_until_it_follows_the_stream()
    {
        await Redis.KillAsync();
        await using HubHost three = await StartNodeAsync();
        Assert.False(three.Hub.IsFollowing);
        Task<SseTestClient> subscribing = three.SubscribeAsync([Topic]);

        await Redis.StartAgainAsync();
        await using SseTestClient subscriber = await subscribing.WaitAsync(Bounded.DefaultWait);
        string id = await PublishOnceRedisIsBackAsync(_one, "first after the start");

        Assert.Equal(("first after the start", id), Describe(await subscriber.NextEventAsync()));
        Assert.True(three.Hub.IsFollowing);
    }

    /// <summary>Publishes on <paramref name="node"/>, which reconnects to a restarted Redis on its
    /// own: until it has, its publishes get 503 (and nothing else), and are tried again.</summary>
    private static async Task<string> PublishOnceRedisIsBackAsync(HubHost node, string data)
    {
        using CancellationTokenSource bound = Bounded.Wait();
        while (true)
        {
            using HttpResponseMessage response = await node.PostAsync([new("topic", Topic), new("data", data)]);
            if (response.IsSuccessStatusCode)
            {
                return await response.Content.ReadAsStringAsync(bound.Token);
            }

            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
            await Task.Delay(50, bound.Token);
        }
    }

    private static (string Data, string LastEventId) Describe(Herald.Sse.SseItem item) => (item.Data, item.LastEventId);
}
