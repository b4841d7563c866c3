using System.Net.Sockets;
using System.Text;
using Herald.Testing;

namespace Herald.Hub.Tests.Delivery;

public sealed class SlowSubscriberTests
{
    [Fact]
    public async Task A_stalled_subscriber_is_disconnected_while_100_others_keep_receiving_every_event_in_turn()
    {
        await using HubHost host = await HubHost.StartAsync(o => { o.AllowAnonymous = true; o.SubscriberQueueCapacity = 16; });
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 200 };
        using var client = new HttpClient(handler) { Timeout = Bounded.DefaultWait };
        var healthy = new List<SseTestClient>();
        for (int i = 0; i < 100; i++)
        {
            healthy.Add(await SseTestClient.ConnectAsync(client, host.SubscribeUrl("tick")));
        }

        // A raw socket that asks for the big topic too and then never reads: its receive window
        // fills, then Kestrel's buffer, then its queue in the hub.
        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync(host.BaseAddress.Host, host.BaseAddress.Port);
        await stalled.SendAsync(Encoding.ASCII.GetBytes($"GET /.well-known/mercure?topic=tick&topic=big HTTP/1.1\r\nHost: {host.BaseAddress.Authority}\r\n\r\n"));
        await Bounded.UntilAsync(() => host.Hub.SubscriberCount == 101, "the stalled subscriber is connected");

        string big = new('x', 64 * 1024);
        int round = 0;
        while (host.Hub.SubscriberCount > 100)
        {
            Assert.True(++round <= 500, "the stalled subscriber was never disconnected");
            await host.PublishAsync("big", big);
            string tick = await host.PublishAsync("tick", round.ToString(System.Globalization.CultureInfo.InvariantCulture));

            // Each healthy subscriber gets each tick before the next round: none waits on the stalled one.
            foreach (SseTestClient subscriber in healthy)
            {
                Assert.Equal(tick, (await subscriber.NextEventAsync()).LastEventId);
            }
        }

        await host.PublishAsync("tick", "after");
        foreach (SseTestClient subscriber in healthy)
        {
            Assert.Equal("after", (await subscriber.NextEventAsync()).Data);
            await subscriber.DisposeAsync();
        }
    }
}
