using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Herald.Sse;
using Herald.Testing;

namespace Herald.Server.Tests.Commands;

/// <summary>
/// <c>herald serve</c> under abuse that costs the attacker little: slowloris clients that send
/// their headers a byte at a time or never finish them, and a flood of connections opened and
/// dropped. Ordinary subscribers must keep getting every event, in order, promptly, and the hub
/// must stay responsive.
/// </summary>
public sealed class ServeAbuseTests
{
    private const string Topic = "https://example.com/abuse";

    /// <summary>Generous for a shared machine; a hub stalled by the attack misses it by far.</summary>
    private static readonly TimeSpan LatencyBound = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Slowloris_clients_are_cut_off_at_the_headers_timeout_while_subscribers_get_every_event()
    {
        await using HeraldProcess herald = StartHub("--request-headers-timeout", "2");
        Uri hub = new(await herald.WaitForHubUrlAsync());
        using var client = new HttpClient { Timeout = Bounded.DefaultWait };
        List<SseTestClient> subscribers = await SubscribeAsync(client, hub, 20);

        // Half never finish their headers; half drip them a byte every 100 ms (80 s for all of them).
        byte[] start = Encoding.ASCII.GetBytes($"GET {hub.PathAndQuery}?topic=x HTTP/1.1\r\nHost: {hub.Authority}\r\nX-Slow: ");
        byte[] drip = Encoding.ASCII.GetBytes(new string('a', 800) + "\r\n\r\n");
        var stopwatch = Stopwatch.StartNew();
        Task<(TimeSpan ClosedAfter, int Dripped)>[] slowloris = [.. Enumerable.Range(0, 200).Select(i => SlowlorisAsync(hub, start, i % 2 == 0 ? [] : drip, stopwatch))];

        // Published for longer than the headers timeout, so delivery is checked while the hub cuts them off.
        await PublishAndCheckAsync(client, hub, subscribers, events: 40, TimeSpan.FromMilliseconds(100));

        foreach ((TimeSpan closedAfter, int dripped) in await Task.WhenAll(slowloris))
        {
            Assert.InRange(closedAfter, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(8));
            Assert.True(dripped < drip.Length, "a dripping client finished its headers");
        }

        await AssertResponsiveAsync(client, hub);
        await DisposeAllAsync(subscribers);
    }

    [Fact]
    public async Task A_flood_of_connections_opened_and_dropped_leaves_subscribers_unaffected()
    {
        await using HeraldProcess herald = StartHub();
        Uri hub = new(await herald.WaitForHubUrlAsync());
        using var client = new HttpClient { Timeout = Bounded.DefaultWait };
        List<SseTestClient> subscribers = await SubscribeAsync(client, hub, 20);

        Task flood = FloodAsync(hub, connections: 2_000, concurrency: 100);
        await PublishAndCheckAsync(client, hub, subscribers, events: 40, TimeSpan.FromMilliseconds(50));
        await flood.WaitAsync(TimeSpan.FromSeconds(60));

        await AssertResponsiveAsync(client, hub);
        await DisposeAllAsync(subscribers);
    }

    [Fact]
    public async Task A_headers_timeout_that_is_not_a_positive_number_of_seconds_stops_the_start()
    {
        await using HeraldProcess herald = StartHub("--request-headers-timeout", "0");
        Assert.Equal(2, await herald.WaitForExitAsync());
        Assert.Contains("--request-headers-timeout must be", herald.Output, StringComparison.Ordinal);
    }

    private static HeraldProcess StartHub(params string[] extra) =>
        HeraldProcess.Start(["serve", "--port", "0", "--in-memory", "--anonymous", "--key", TestTokens.PublisherKey, .. extra]);

    private static async Task<List<SseTestClient>> SubscribeAsync(HttpClient client, Uri hub, int count)
    {
        var subscribers = new List<SseTestClient>();
        for (int i = 0; i < count; i++)
        {
            subscribers.Add(await SseTestClient.ConnectAsync(client, $"{hub}?topic={Uri.EscapeDataString(Topic)}"));
        }

        return subscribers;
    }

    /// <summary>Publishes at a steady pace while every subscriber reads; each must get every
    /// event, in order, within <see cref="LatencyBound"/> of its publish.</summary>
    private static async Task PublishAndCheckAsync(HttpClient client, Uri hub, List<SseTestClient> subscribers, int events, TimeSpan interval)
    {
        var published = new long[events];
        Task<TimeSpan>[] readers = [.. subscribers.Select(async subscriber =>
        {
            TimeSpan worst = TimeSpan.Zero;
            for (int n = 0; n < events; n++)
            {
                SseItem item = await subscriber.NextEventAsync();
                Assert.Equal(n.ToString(System.Globalization.CultureInfo.InvariantCulture), item.Data);
                TimeSpan latency = Stopwatch.GetElapsedTime(Volatile.Read(ref published[n]));
                worst = latency > worst ? latency : worst;
            }

            return worst;
        })];

        using var pace = new PeriodicTimer(interval);
        for (int n = 0; n < events; n++)
        {
            await pace.WaitForNextTickAsync();
            Volatile.Write(ref published[n], Stopwatch.GetTimestamp());
            using var request = new HttpRequestMessage(HttpMethod.Post, hub)
            {
                Content = new FormUrlEncodedContent([new("topic", Topic), new("data", n.ToString(System.Globalization.CultureInfo.InvariantCulture))]),
            };
            request.Headers.Authorization = new("Bearer", TestTokens.Publisher(Topic));
            using HttpResponseMessage response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        TimeSpan[] worst = await Task.WhenAll(readers);
        Assert.True(worst.Max() < LatencyBound, $"an event took {worst.Max().TotalMilliseconds:F0} ms to reach a subscriber");
    }

    /// <summary>Sends the start of a request, then drips the rest a byte every 100 ms; returns
    /// when the server closes the connection, with how long that took and how much was dripped.</summary>
    private static async Task<(TimeSpan ClosedAfter, int Dripped)> SlowlorisAsync(Uri hub, byte[] start, byte[] drip, Stopwatch clock)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using CancellationTokenSource bound = Bounded.Wait(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(hub.Host, hub.Port, bound.Token);
        TimeSpan opened = clock.Elapsed;
        await socket.SendAsync(start, bound.Token);
        Task<int> closed = ReadUntilClosedAsync(socket, bound.Token);
        int dripped = 0;
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (!closed.IsCompleted && dripped < drip.Length)
        {
            await Task.WhenAny(closed, pace.WaitForNextTickAsync(bound.Token).AsTask());
            if (closed.IsCompleted)
            {
                break;
            }

            try
            {
                await socket.SendAsync(drip.AsMemory(dripped, 1), bound.Token);
                dripped++;
            }
            catch (SocketException)
            {
                break;
            }
        }

        await closed;
        return (clock.Elapsed - opened, dripped);
    }

    /// <summary>Reads (and ignores any answer) until the server closes or resets the connection.</summary>
    private static async Task<int> ReadUntilClosedAsync(Socket socket, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, cancellationToken) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // Reset by the server: closed all the same.
        }

        return 0;
    }

    /// <summary>Opens connections and drops them at once: a third with nothing sent, a third
    /// after half a request, a third reset (RST) after half a request.</summary>
    private static async Task FloodAsync(Uri hub, int connections, int concurrency)
    {
        byte[] half = Encoding.ASCII.GetBytes($"GET {hub.PathAndQuery}?topic=x HTTP/1.1\r\nHo");
        int next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < connections)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                using CancellationTokenSource bound = Bounded.Wait();
                await socket.ConnectAsync(hub.Host, hub.Port, bound.Token);
                if (i % 3 != 0)
                {
                    await socket.SendAsync(half, bound.Token);
                }

                if (i % 3 == 2)
                {
                    socket.LingerState = new LingerOption(true, 0);
                }

                socket.Close();
            }
        }));
    }

    /// <summary>The hub still answers at once: liveness, and a new subscriber gets a new event.</summary>
    private static async Task AssertResponsiveAsync(HttpClient client, Uri hub)
    {
        using HttpResponseMessage health = await client.GetAsync(new Uri(hub, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        List<SseTestClient> late = await SubscribeAsync(client, hub, 1);
        await PublishAndCheckAsync(client, hub, late, events: 1, TimeSpan.FromMilliseconds(1));
        await DisposeAllAsync(late);
    }

    private static async Task DisposeAllAsync(List<SseTestClient> subscribers)
    {
        foreach (SseTestClient subscriber in subscribers)
        {
            await subscriber.DisposeAsync();
        }
    }
}
