using System.Net;
using System.Text.Json;
using Herald.Testing;

namespace Herald.Hub.Tests.Subscriptions;

public sealed class ActiveSubscriptionsTests
{
    private const string Book = "https://example.com/books/{id}";
    private const string SubscriptionTopics = "/.well-known/mercure/subscriptions{/topic}{/subscriber}";

    [Fact]
    public async Task Subscribers_coming_and_going_publish_private_subscription_events()
    {
        await using HubHost host = await HubHost.StartAsync(o => { o.AllowAnonymous = true; o.EnableSubscriptions = true; });
        await using SseTestClient watcher = await host.SubscribeAsync([SubscriptionTopics], allowed: [SubscriptionTopics]);
        await using SseTestClient anonymousWatcher = await host.SubscribeAsync([SubscriptionTopics, "https://example.com/marker"]);

        string subscriberId;
        await using (SseTestClient subscriber = await SseTestClient.ConnectAsync(host.Client, host.SubscribeUrl(Book), token: TestTokens.Subscriber([], null)))
        {
            using JsonDocument joined = await NextAboutAsync(watcher, Book);
            JsonElement resource = joined.RootElement;
            subscriberId = resource.GetProperty("subscriber").GetString()!;
            Assert.Equal("Subscription", resource.GetProperty("type").GetString());
            Assert.Equal(Book, resource.GetProperty("topic").GetString());
            Assert.True(resource.GetProperty("active").GetBoolean());
            Assert.Equal($"/.well-known/mercure/subscriptions/{Uri.EscapeDataString(Book)}/{Uri.EscapeDataString(subscriberId)}", resource.GetProperty("id").GetString());
            Assert.StartsWith("urn:uuid:", subscriberId, StringComparison.Ordinal);
        }

        using JsonDocument left = await NextAboutAsync(watcher, Book);
        Assert.Equal(subscriberId, left.RootElement.GetProperty("subscriber").GetString());
        Assert.False(left.RootElement.GetProperty("active").GetBoolean());

        // The anonymous watcher saw none of it: subscription events are private.
        await host.PublishAsync("https://example.com/marker", "m");
        Assert.Equal("m", (await anonymousWatcher.NextEventAsync()).Data);
    }

    [Fact]
    public async Task The_api_lists_active_subscriptions_to_authorized_subscribers_only()
    {
        await using HubHost host = await HubHost.StartAsync(o => { o.AllowAnonymous = true; o.EnableSubscriptions = true; });
        await using SseTestClient subscriber = await host.SubscribeAsync([Book, "*"]);
        Uri api = new(host.BaseAddress, "/.well-known/mercure/subscriptions");

        using HttpResponseMessage anonymous = await host.Client.GetAsync(api);
        using var forbiddenRequest = new HttpRequestMessage(HttpMethod.Get, api);
        forbiddenRequest.Headers.Authorization = new("Bearer", TestTokens.Subscriber(["https://example.com/{x}"]));
        using HttpResponseMessage forbidden = await host.Client.SendAsync(forbiddenRequest);
        using var request = new HttpRequestMessage(HttpMethod.Get, api);
        request.Headers.Authorization = new("Bearer", TestTokens.Subscriber([SubscriptionTopics, "/.well-known/mercure/subscriptions"]));
        using HttpResponseMessage listed = await host.Client.SendAsync(request);
        using JsonDocument list = JsonDocument.Parse(await listed.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal("application/ld+json", listed.Content.Headers.ContentType!.MediaType);
        Assert.Equal("Subscriptions", list.RootElement.GetProperty("type").GetString());
        Assert.Equal("https://mercure.rocks/", list.RootElement.GetProperty("@context").GetString());
        Assert.Equal([Book, "*"], list.RootElement.GetProperty("subscriptions").EnumerateArray().Select(s => s.GetProperty("topic").GetString()));

        string subscriberId = list.RootElement.GetProperty("subscriptions")[0].GetProperty("subscriber").GetString()!;
        using var single = new HttpRequestMessage(HttpMethod.Get, $"{api}/{Uri.EscapeDataString(Book)}/{Uri.EscapeDataString(subscriberId)}");
        single.Headers.Authorization = new("Bearer", TestTokens.Subscriber([SubscriptionTopics]));
        using HttpResponseMessage one = await host.Client.SendAsync(single);
        using JsonDocument resource = JsonDocument.Parse(await one.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(Book, resource.RootElement.GetProperty("topic").GetString());
        Assert.True(resource.RootElement.GetProperty("active").GetBoolean());
    }

    /// <summary>The next subscription event about a subscription to <paramref name="topic"/>: the
    /// watchers' own subscriptions are announced too, and are skipped.</summary>
    private static async Task<JsonDocument> NextAboutAsync(Herald.Testing.SseTestClient watcher, string topic)
    {
        while (true)
        {
            JsonDocument resource = JsonDocument.Parse((await watcher.NextEventAsync()).Data);
            if (resource.RootElement.GetProperty("topic").GetString() == topic)
            {
                return resource;
            }

            resource.Dispose();
        }
    }
}
