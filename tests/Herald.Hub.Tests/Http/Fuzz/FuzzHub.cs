using System.Collections.Concurrent;
using CsCheck;
using Herald.Sse;
using Herald.Testing;

namespace Herald.Hub.Tests.Http.Fuzz;

/// <summary>
/// The hub the fuzz tests attack, with small limits so that the limits are reached often and
/// cheaply, and the runs themselves: in process and over real HTTP, each case bounded in time,
/// the statuses seen tallied, and the hub checked to work normally afterwards.
/// </summary>
internal static class FuzzHub
{
    /// <summary>The fuzz runs use every core: one at a time, so they do not measure each other.</summary>
    public const string Collection = "Fuzz";

    public const int MaxBodySize = 4 * 1024;

    public const int MaxSelectors = 50;

    /// <summary>A case that takes this long is a hang, whatever the machine's load.</summary>
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(10);

    public static Task<HubHost> StartAsync() => HubHost.StartAsync(options =>
    {
        options.MaxPublishBodySize = MaxBodySize;
        options.MaxSelectorsPerSubscription = MaxSelectors;
        // The in-memory history keeps a bounded tail, whatever the run publishes.
        options.HistorySize = 1_000;
        options.CorsOrigins.Add("https://app.example");
    });

    /// <summary>Sends <paramref name="cases"/> generated requests in process and checks every answer.</summary>
    public static async Task<IReadOnlyDictionary<int, int>> InProcessAsync(HubHost host, Gen<HostileRequest> requests, int[] allowed, int cases)
    {
        var hub = new InProcessHub(host);
        var statuses = new ConcurrentDictionary<int, int>();
        await requests.SampleAsync(async request =>
        {
            HubAnswer answer = await hub.SendAsync(request).WaitAsync(PerCase);
            AnswerRules.Check(request, answer, allowed);
            statuses.AddOrUpdate(answer.Status, 1, (_, n) => n + 1);
        }, iter: cases);
        return statuses;
    }

    /// <summary>Sends <paramref name="cases"/> generated requests over keep-alive connections to
    /// the hub on Kestrel and checks every answer.</summary>
    public static async Task<IReadOnlyDictionary<int, int>> OverHttpAsync(HubHost host, Gen<HostileRequest> requests, int[] allowed, int cases)
    {
        var idle = new ConcurrentBag<RawHttpConnection>();
        var statuses = new ConcurrentDictionary<int, int>();
        try
        {
            await requests.SampleAsync(async request =>
            {
                RawHttpConnection connection = idle.TryTake(out RawHttpConnection? pooled) ? pooled : new RawHttpConnection(host.BaseAddress);
                using CancellationTokenSource bound = Bounded.Wait(PerCase);
                HubAnswer answer;
                try
                {
                    answer = await connection.SendAsync(request, bound.Token);
                }
                catch (Exception error)
                {
                    connection.Dispose();
                    throw new InvalidOperationException($"No answer to:\n{request}", error);
                }

                idle.Add(connection);
                AnswerRules.Check(request, answer, allowed);
                statuses.AddOrUpdate(answer.Status, 1, (_, n) => n + 1);
            }, iter: cases, threads: 4);
        }
        finally
        {
            foreach (RawHttpConnection connection in idle)
            {
                connection.Dispose();
            }
        }

        return statuses;
    }

    /// <summary>After the attack: every subscription the run opened is gone, and an ordinary
    /// subscriber still gets an ordinary publish.</summary>
    public static async Task AssertStillServesAsync(HubHost host)
    {
        await Bounded.UntilAsync(() => host.Hub.SubscriberCount == 0, "every fuzzed subscription has left the hub");
        const string topic = "https://example.com/after-the-fuzz";
        await using SseTestClient subscriber = await host.SubscribeAsync([topic], allowed: [topic]);
        string id = await host.PublishAsync(topic, "still here");
        SseItem received = await subscriber.NextEventAsync();
        Assert.Equal(("still here", id), (received.Data, received.LastEventId));
    }

    /// <summary>The answers the generators must reach, or the run proves less than it claims.</summary>
    public static void AssertReached(IReadOnlyDictionary<int, int> statuses, params int[] expected)
    {
        string seen = string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
        foreach (int status in expected)
        {
            Assert.True(statuses.ContainsKey(status), $"no request was answered {status} ({seen})");
        }
    }
}
