using System.Net;
using Herald.Hub.Hosting;
using Herald.Sse;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Hub.Tests.Hosting;

/// <summary>
/// The graceful stop of an embedded hub (<c>HubDrain</c>): the host stopping drains the hub, on
/// the hub's clock, so a fake clock shows exactly when each subscription is sent away.
/// </summary>
public sealed class DrainTests
{
    private const int Subscribers = 10;

    [Fact]
    public async Task Stopping_closes_one_subscription_per_slot_of_the_window_each_after_its_updates_and_a_jittered_retry()
    {
        var clock = new FakeTimeProvider();
        await using HubHost host = await HubHost.StartAsync(
            options =>
            {
                options.AllowAnonymous = true;
                options.DrainWindow = TimeSpan.FromSeconds(Subscribers);
                options.DrainReconnectDelay = TimeSpan.FromSeconds(2);
            },
            services => services.AddSingleton<TimeProvider>(clock));
        var clients = new List<SseTestClient>();
        try
        {
            for (int i = 0; i < Subscribers; i++)
            {
                clients.Add(await host.SubscribeAsync(["https://example.com/{id}"]));
            }

            // Acknowledged before the stop, so already in every subscriber's queue: it must go out
            // before the farewell.
            string id = await host.PublishAsync("https://example.com/1", "before the stop");

            Task stopping = host.StopAsync();
            await Bounded.UntilAsync(() => host.Hub.IsDraining, "the hub drains");

            // Slot k of the window is [k, k + 1) seconds: after each second exactly one more is gone.
            for (int second = 1; second <= Subscribers; second++)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                int expected = second;
                await Bounded.UntilAsync(() => clients.Count(client => client.Ended.IsCompleted) >= expected, $"{expected} subscriptions ended");
                Assert.Equal(expected, clients.Count(client => client.Ended.IsCompleted));
            }

            using CancellationTokenSource bound = Bounded.Wait();
            await stopping.WaitAsync(bound.Token);
            foreach (SseTestClient client in clients)
            {
                SseItem delivered = await client.NextEventAsync();
                Assert.Equal(id, delivered.LastEventId);
                Assert.InRange(client.Retry ?? -1, 2_000, 4_000);
            }

            Assert.True(clients.Select(client => client.Retry).Distinct().Count() > 1, "every subscriber was told the same reconnect delay: no jitter");
        }
        finally
        {
            foreach (SseTestClient client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task While_draining_the_hub_is_not_ready_and_refuses_requests_on_open_connections_with_retry_after()
    {
        var clock = new FakeTimeProvider();
        await using HubHost host = await HubHost.StartAsync(
            options =>
            {
                options.AllowAnonymous = true;
                options.DrainWindow = TimeSpan.Zero;
                options.RetryAfter = TimeSpan.FromSeconds(7);
            },
            services => services.AddSingleton<TimeProvider>(clock));
        await using SseTestClient held = await host.SubscribeAsync(["*"]);
        HealthCheckResult before = await host.Services.GetRequiredService<HeraldReadinessCheck>().CheckHealthAsync(new HealthCheckContext());

        // The drain as the stop begins it, with the server still up: the answers to requests
        // that arrive on connections already open (a stopping server accepts no new ones).
        host.Hub.BeginDrain();
        HealthCheckResult during = await host.Services.GetRequiredService<HeraldReadinessCheck>().CheckHealthAsync(new HealthCheckContext());
        using HttpResponseMessage subscribe = await host.Client.GetAsync(host.SubscribeUrl("*"), HttpCompletionOption.ResponseHeadersRead);
        using HttpResponseMessage publish = await host.PostAsync([new("topic", "https://example.com/1"), new("data", "late")]);

        Assert.Equal(HealthStatus.Healthy, before.Status);
        Assert.Equal(HealthStatus.Unhealthy, during.Status);
        foreach (HttpResponseMessage refused in new[] { subscribe, publish })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(7), refused.Headers.RetryAfter?.Delta);
            Assert.True(refused.Headers.ConnectionClose, "a refused client would come back to this hub over the same connection");
        }

        // With no window, the stop then sends the held subscriber away at once.
        using CancellationTokenSource bound = Bounded.Wait();
        await host.StopAsync().WaitAsync(bound.Token);
        await held.Ended.WaitAsync(bound.Token);
    }

    [Fact]
    public async Task A_shutdown_timeout_shorter_than_the_window_closes_the_rest_at_once()
    {
        // The fake clock never moves: without the host's timeout the drain would never end.
        var clock = new FakeTimeProvider();
        await using HubHost host = await HubHost.StartAsync(
            options =>
            {
                options.AllowAnonymous = true;
                options.DrainWindow = TimeSpan.FromMinutes(10);
            },
            services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromMilliseconds(500));
            });
        var clients = new List<SseTestClient>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                clients.Add(await host.SubscribeAsync(["*"]));
            }

            using CancellationTokenSource bound = Bounded.Wait();
            await host.StopAsync().WaitAsync(bound.Token);
            await Task.WhenAll(clients.Select(client => client.Ended)).WaitAsync(bound.Token);

            // No moment of the window came: none was sent away with a retry, all were cut.
            Assert.All(clients, client => Assert.Null(client.Retry));
        }
        finally
        {
            foreach (SseTestClient client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
