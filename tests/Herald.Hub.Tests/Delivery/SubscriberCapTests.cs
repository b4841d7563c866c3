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

    [Theory]
    [InlineData(20_000L, 18_000)]
    [InlineData(1024L, 768)]
    [InlineData(100L, 10_000)]
    [InlineData(null, 10_000)]
    public void The_default_cap_keeps_a_margin_below_the_descriptor_limit(long? limit, int expected) =>
        Assert.Equal(expected, SubscriberCap.FromDescriptorLimit(limit));
}
