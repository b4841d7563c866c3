using System.Diagnostics;
using System.Net;
using Herald.Sse;
using Herald.Testing;

namespace Herald.Server.Tests.Commands;

/// <summary><c>herald serve</c> stopped by SIGTERM, as a service manager stops it: the drain.</summary>
public sealed class ServeDrainTests
{
    private const int Subscribers = 50;
    private const double WindowSeconds = 2;
    private const double TimeoutSeconds = 8;

    [Fact]
    public async Task Sigterm_drains_every_subscriber_over_the_window_with_a_retry_after_its_updates_then_exits_0_within_the_timeout()
    {
        await using HeraldProcess herald = HeraldProcess.Start(
            "serve", "--in-memory", "--port", "0", "--key", TestTokens.PublisherKey, "--anonymous",
            "--drain-window", "2", "--drain-reconnect", "1", "--drain-timeout", "8");
        string hubUrl = await herald.WaitForHubUrlAsync();
        string baseUrl = hubUrl[..hubUrl.IndexOf("/.well-known", StringComparison.Ordinal)];
        using var client = new HttpClient();
        var subscribers = new List<SseTestClient>();
        try
        {
            for (int i = 0; i < Subscribers; i++)
            {
                subscribers.Add(await SseTestClient.ConnectAsync(client, hubUrl + "?topic=*"));
            }

            using var publish = new HttpRequestMessage(HttpMethod.Post, hubUrl) { Content = new FormUrlEncodedContent([new("topic", "https://example.com/1"), new("data", "before the stop")]) };
            publish.Headers.Authorization = new("Bearer", TestTokens.Publisher("*"));
            using HttpResponseMessage published = await client.SendAsync(publish);
            Assert.Equal(HttpStatusCode.OK, published.StatusCode);
            string id = await published.Content.ReadAsStringAsync();

            var clock = Stopwatch.StartNew();
            Task<TimeSpan>[] ends = [.. subscribers.Select(async subscriber =>
            {
                await subscriber.Ended;
                return clock.Elapsed;
            })];
            await herald.TerminateAsync();
            await herald.WaitForLineAsync(line => line.Contains("Draining: closing 50 subscriptions", StringComparison.Ordinal));

            // While it drains it accepts no connection: a drained client that comes back early
            // is refused and retries (a 503 would make a browser's EventSource give up), and a
            // load balancer's probe fails.
            using (var fresh = new HttpClient())
            {
                await Bounded.UntilAsync(() => Refused(fresh, baseUrl + "/readyz"), "the port is closed", TimeSpan.FromSeconds(1));
                Assert.False(ends.All(end => end.IsCompleted), "the drain was over before the port closed");
            }

            Assert.Equal(0, await herald.WaitForExitAsync(TimeSpan.FromSeconds(TimeoutSeconds)));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(TimeoutSeconds), $"the stop took {clock.Elapsed}");

            using CancellationTokenSource bound = Bounded.Wait();
            TimeSpan[] ended = await Task.WhenAll(ends).WaitAsync(bound.Token);
            TimeSpan spread = ended.Max() - ended.Min();
            Assert.True(spread >= TimeSpan.FromSeconds(WindowSeconds / 2), $"the closes were spread over {spread.TotalMilliseconds:F0} ms of a {WindowSeconds} s window");
            foreach (SseTestClient subscriber in subscribers)
            {
                SseItem delivered = await subscriber.NextEventAsync();
                Assert.Equal(id, delivered.LastEventId);
                Assert.InRange(subscriber.Retry ?? -1, 1_000, 2_000);
            }
        }
        finally
        {
            foreach (SseTestClient subscriber in subscribers)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    /// <summary>Whether a new connection to <paramref name="url"/> is refused.</summary>
    private static bool Refused(HttpClient client, string url)
    {
        try
        {
            using HttpResponseMessage response = client.GetAsync(url).GetAwaiter().GetResult();
            return false;
        }
        catch (HttpRequestException)
        {
            return true;
        }
    }

    [Fact]
    public async Task A_drain_timeout_not_longer_than_the_window_is_refused_at_start()
    {
        await using HeraldProcess herald = HeraldProcess.Start("serve", "--in-memory", "--port", "0", "--key", TestTokens.PublisherKey, "--drain-window", "10", "--drain-timeout", "10");
        Assert.Equal(2, await herald.WaitForExitAsync());
        Assert.Contains("--drain-timeout", herald.Output, StringComparison.Ordinal);
    }
}
