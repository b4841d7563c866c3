using System.Net;
using Herald.Hub.Delivery;
using Herald.Testing;

namespace Herald.Hub.Tests.Delivery;

public sealed class SubscriberCapTests
{
    [Fact]
    public async Task Past_the_cap_subscribers_get_503_with_Retry_After_and_publishing_still_works()
    {
        await using HubHost host = await HubHost.StartAsync(o => { o.AllowAnonymous = true; o.MaxSubscribers = 3; o.RetryAfter = TimeSpan.FromSeconds(7); });
        var admitted = new List<SseTestClient>();
        for (int i = 0; i < 3; i++)
        {
            admitted.Add(await host.SubscribeAsync(["*"]));
        }

        using HttpResponseMessage refused = await host.Client.GetAsync(host.SubscribeUrl("*"), HttpCompletionOption.ResponseHeadersRead);
        string id = await host.PublishAsync("https://example.com/x", "published at the cap");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), refused.Headers.RetryAfter!.Delta);
        foreach (SseTestClient subscriber in admitted)
        {
            Assert.Equal(id, (await subscriber.NextEventAsync()).LastEventId);
        }

        // A place freed is a place taken.
        await admitted[0].DisposeAsync();
        await Bounded.UntilAsync(() => host.Hub.SubscriberCount == 2, "the hub lets the first subscriber go");
        await using SseTestClient late = await host.SubscribeAsync(["*"]);
        foreach (SseTestClient subscriber in admitted.Skip(1))
        {
            await subscriber.DisposeAsync();
        }
    }

    [Fact]
    public async Task By_default_only_subscribers_holding_a_connection_count_against_the_descriptor_cap()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        HeraldHub hub = host.Hub;
        int places = hub.MaxSubscriberConnections;
        Assert.Equal(SubscriberCap.FromDescriptorLimit(), places);
        Assert.Equal(int.MaxValue, hub.MaxSubscribers);

        int admitted = 0;
        while (admitted < places && hub.TryAdmit(holdsConnection: true))
        {
            admitted++;
        }

        // Every descriptor place is taken: one more HTTP/1.1 subscriber is refused, an HTTP/2
        // stream (sharing a connection already open) is not.
        Assert.Equal(places, admitted);
        Assert.False(hub.TryAdmit(holdsConnection: true));
        Assert.True(hub.TryAdmit(holdsConnection: false));
        Assert.Equal(places + 1, hub.SubscriberCount);

        hub.Leave(holdsConnection: false);
        for (int i = 0; i < admitted; i++)
        {
            hub.Leave(holdsConnection: true);
        }

        Assert.Equal(0, hub.SubscriberCount);
    }

    [Theory]
    [InlineData(20_000L, 18_000)]
    [InlineData(1024L, 768)]
    [InlineData(100L, 10_000)]
    [InlineData(null, 10_000)]
    public void The_default_cap_keeps_a_margin_below_the_descriptor_limit(long? limit, int expected) =>
        Assert.Equal(expected, SubscriberCap.FromDescriptorLimit(limit));
}
