using System.Globalization;
using System.Net;
using Herald.Sse;
using Herald.Testing;

namespace Herald.Server.Tests.Commands;

/// <summary>
/// <c>herald serve --redis</c> as a cluster: hub nodes as real processes on one real redis-server
/// (its own per test), with real subscribers on each node; a node, or Redis itself, is killed
/// with SIGKILL in the middle of a publishing run.
/// </summary>
public sealed class ServeRedisTests : IAsyncLifetime, IDisposable
{
    private static readonly string PublisherToken = TestTokens.Publisher("*");
    private static readonly string SubscriberToken = TestTokens.Subscriber(["*"]);

    /// <summary>How long a run's publishing and catching up may take, on a loaded 2-core machine.</summary>
    private static readonly TimeSpan RunBound = TimeSpan.FromSeconds(90);

    private readonly List<HeraldProcess> _processes = [];
    private readonly List<ClusterSubscriber> _subscribers = [];

    // Publishes and probes, each request bounded by the client's timeout.
    private readonly HttpClient _http = new() { Timeout = Bounded.DefaultWait };

    // Subscriptions on connections of their own, apart from the publishes; each connect is
    // bounded by its caller, and a stream stays open as long as the test reads it.
    private readonly HttpClient _streams = new() { Timeout = Timeout.InfiniteTimeSpan };
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (ClusterSubscriber subscriber in _subscribers)
        {
            await subscriber.DisposeAsync();
        }

        foreach (HeraldProcess process in _processes)
        {
            await process.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    public void Dispose()
    {
        _http.Dispose();
        _streams.Dispose();
    }

    [Fact]
    public async Task Three_nodes_deliver_2000_events_to_300_subscribers_exactly_once_in_order_when_a_node_is_killed_and_its_subscribers_resume_on_another()
    {
        const int Subscribers = 300;
        const int Events = 2_000;
        const int KillAfter = 300;
        const string Topic = "https://example.com/cluster/failover";
        HubNode[] nodes = await StartNodesAsync("failover", 3);

        // Spread over the nodes; node 2's subscribers reconnect to node 3, the others never should.
        ClusterSubscriber[] subscribers = await Task.WhenAll(Enumerable.Range(0, Subscribers).Select(i =>
            SubscribeAsync(nodes[i % 3], fallback: nodes[i % 3 == 1 ? 2 : i % 3], Topic)));
        ClusterSubscriber[] onNode2 = [.. subscribers.Where((_, i) => i % 3 == 1)];

        var acknowledged = new List<string>(Events);
        var node2Killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task publishing = Task.Run(async () =>
        {
            for (int i = 0; i < Events; i++)
            {
                if (i == Events / 2)
                {
                    // Node 2 dies in the first half, while this publisher runs: never after the end.
                    await node2Killed.Task.WaitAsync(RunBound);
                }

                acknowledged.Add(await PublishOkAsync(nodes[0], Topic, i.ToString(CultureInfo.InvariantCulture)));
            }
        });

        Task node2Read = Task.WhenAll(onNode2.Select(subscriber => subscriber.ReceivedCountAsync(KillAfter, RunBound)));
        await Task.WhenAny(node2Read, publishing).WaitAsync(RunBound);
        await (publishing.IsFaulted ? publishing : node2Read);
        await nodes[1].Process.KillAsync();
        node2Killed.SetResult();
        await publishing.WaitAsync(RunBound);

        await Task.WhenAll(subscribers.Select(subscriber => subscriber.ReceivedIdAsync(acknowledged[^1], RunBound)));
        string[] data = [.. Enumerable.Range(0, Events).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        var problems = new List<string>();
        for (int i = 0; i < subscribers.Length; i++)
        {
            string who = $"subscriber {i} (node {(i % 3) + 1})";
            if (DescribeDifference(subscribers[i].Events, acknowledged, data) is { } difference)
            {
                problems.Add($"{who}: {difference}");
            }

            int connections = i % 3 == 1 ? 2 : 1;
            if (subscribers[i].Connections != connections)
            {
                problems.Add($"{who}: {subscribers[i].Connections} connections, expected {connections}");
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public async Task When_Redis_is_killed_mid_run_publishes_get_503_and_subscribers_keep_their_connections_and_get_every_acknowledged_event_once_in_order()
    {
        const int SubscribersPerNode = 10;
        const int Acknowledged = 100;
        const int RefusedBeforeRestart = 20;
        const string Topic = "https://example.com/cluster/outage";
        HubNode[] nodes = await StartNodesAsync("outage", 3);
        ClusterSubscriber[] subscribers = await Task.WhenAll(Enumerable.Range(0, 3 * SubscribersPerNode).Select(i =>
            SubscribeAsync(nodes[i % 3], fallback: nodes[i % 3], Topic)));

        var outcomes = new List<(string Id, HttpStatusCode Status, string Body)>();
        var upRun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var refused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool restarted = false;
        Task publishing = Task.Run(async () =>
        {
            // One publish at a time, through each node in turn, each with an id of its own: its
            // number is its data, so publish order is what subscribers must see.
            int acknowledgedCount = 0, refusedCount = 0, acknowledgedAfterRestart = 0;
            for (int i = 0; acknowledgedAfterRestart < Acknowledged; i++)
            {
                string id = $"outage-{i}";
                (HttpStatusCode status, string body) = await PublishAsync(nodes[i % 3], Topic, i.ToString(CultureInfo.InvariantCulture), id);
                lock (outcomes)
                {
                    outcomes.Add((id, status, body));
                }

                if (status == HttpStatusCode.OK)
                {
                    acknowledgedCount++;
                }
                else
                {
                    refusedCount++;
                }

                if (acknowledgedCount >= Acknowledged)
                {
                    upRun.TrySetResult();
                }

                if (refusedCount >= RefusedBeforeRestart)
                {
                    refused.TrySetResult();
                }

                if (status == HttpStatusCode.OK && Volatile.Read(ref restarted))
                {
                    acknowledgedAfterRestart++;
                }
            }
        });

        await Task.WhenAny(upRun.Task, publishing).WaitAsync(RunBound);
        await (publishing.IsFaulted ? publishing : upRun.Task);
        int publishedBeforeKill;
        lock (outcomes)
        {
            publishedBeforeKill = outcomes.Count;
        }

        await _redis.KillAsync();
        await Task.WhenAny(refused.Task, publishing).WaitAsync(RunBound);
        await (publishing.IsFaulted ? publishing : refused.Task);
        await _redis.StartAgainAsync();
        Volatile.Write(ref restarted, true);
        await publishing.WaitAsync(RunBound);

        // Every publish was answered, 200 or 503 and nothing else; none refused while Redis was up.
        Assert.All(outcomes, outcome => Assert.True(
            outcome.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{outcome.Id} answered {(int)outcome.Status}: {outcome.Body}"));
        Assert.All(outcomes.Take(publishedBeforeKill), outcome => Assert.Equal(HttpStatusCode.OK, outcome.Status));
        Assert.All(outcomes.Where(outcome => outcome.Status == HttpStatusCode.OK), outcome => Assert.Equal(outcome.Id, outcome.Body));
        string[] acknowledged = [.. outcomes.Where(outcome => outcome.Status == HttpStatusCode.OK).Select(outcome => outcome.Id)];
        var refusedIds = outcomes.Where(outcome => outcome.Status != HttpStatusCode.OK).Select(outcome => outcome.Id).ToHashSet();

        ClusterSubscriber history = await SubscribeAsync(nodes[1], fallback: nodes[1], Topic, lastEventId: "earliest");
        await Task.WhenAll(subscribers.Append(history).Select(subscriber => subscriber.ReceivedIdAsync(acknowledged[^1], RunBound)));
        string[] logged = [.. history.Events.Select(item => item.LastEventId)];
        Assert.Equal(logged.Length, logged.Distinct().Count());
        Assert.Empty(acknowledged.Except(logged));

        // A refused publish may still be stored (Redis ran the script and died before replying),
        // but with one publish at a time only the one in flight at the kill can be.
        string[] storedButRefused = [.. logged.Where(refusedIds.Contains)];
        Assert.True(storedButRefused.Length <= 1, $"Refused but stored: {string.Join(", ", storedButRefused)}");
        Assert.Equal([.. logged.Order(Comparer<string>.Create(ByNumber))], logged);

        for (int i = 0; i < subscribers.Length; i++)
        {
            Assert.True(subscribers[i].Connections == 1, $"subscriber {i} (node {(i % 3) + 1}) reconnected: {subscribers[i].Connections} connections");
            Assert.Equal(logged, subscribers[i].Events.Select(item => item.LastEventId));
            Assert.Equal(subscribers[i].Events.Select(item => item.LastEventId), subscribers[i].Events.Select(item => "outage-" + item.Data));
        }
    }

    [Fact]
    public async Task A_last_event_id_read_on_node_1_resumes_on_node_3_with_exactly_the_rest()
    {
        const int Events = 50;
        const int ReadOnNode1 = 20;
        const string Topic = "https://example.com/cluster/resume";
        HubNode node1 = (await StartNodesAsync("resume", 1))[0];
        await using SseTestClient onNode1 = await SseTestClient.ConnectAsync(_streams, SubscribeUrl(node1, Topic), token: SubscriberToken);

        // Odd events get the hub's ids (found by their sequence), even ones their publisher's (found in the index).
        var ids = new List<string>();
        var data = new List<string>();
        for (int i = 0; i < Events; i++)
        {
            data.Add(i.ToString(CultureInfo.InvariantCulture));
            ids.Add(await PublishOkAsync(node1, Topic, data[^1], i % 2 == 0 ? $"resume-{i}" : null));
        }

        List<SseItem> read = await onNode1.NextEventsAsync(ReadOnNode1);
        Assert.Equal(ids.Take(ReadOnNode1), read.Select(item => item.LastEventId));

        // Node 3 starts only now: it followed none of these, so it finds the ids in Redis.
        HubNode node3 = (await StartNodesAsync("resume", 1))[0];
        foreach (int seen in new[] { ReadOnNode1 - 1, ReadOnNode1 - 2 })
        {
            await using SseTestClient onNode3 = await SseTestClient.ConnectAsync(_streams, SubscribeUrl(node3, Topic), ids[seen], SubscriberToken);
            Assert.Equal(ids[seen], onNode3.Response.Headers.GetValues("Last-Event-ID").Single());
            List<SseItem> rest = await onNode3.NextEventsAsync(ids.Count - seen - 1);
            Assert.Equal(ids.Skip(seen + 1), rest.Select(item => item.LastEventId));
            Assert.Equal(data.Skip(seen + 1), rest.Select(item => item.Data));

            // Then live, from node 1 through Redis, with nothing sent twice in between.
            data.Add($"live after {seen}");
            ids.Add(await PublishOkAsync(node1, Topic, data[^1]));
            SseItem live = await onNode3.NextEventAsync();
            Assert.Equal((ids[^1], data[^1]), (live.LastEventId, live.Data));
        }
    }

    [Fact]
    public async Task Readyz_is_200_with_Redis_up_503_while_it_is_down_and_200_when_it_returns_with_subscribers_still_connected()
    {
        const string Topic = "https://example.com/cluster/ready";
        HubNode node = (await StartNodesAsync("ready", 1))[0];
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(node.ReadyUrl));
        ClusterSubscriber subscriber = await SubscribeAsync(node, fallback: node, Topic);
        string before = await PublishOkAsync(node, Topic, "before");
        await subscriber.ReceivedIdAsync(before, Bounded.DefaultWait);

        await _redis.KillAsync();
        await UntilStatusAsync(node.ReadyUrl, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await PublishAsync(node, Topic, "down")).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(node.ReadyUrl));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(node.HealthUrl));

        // Ready again only once it follows Redis again; nothing was published meanwhile, and the
        // subscriber, on the connection it had, gets what comes next.
        await _redis.StartAgainAsync();
        await UntilStatusAsync(node.ReadyUrl, HttpStatusCode.OK);
        string after = await PublishOkAsync(node, Topic, "up");
        await subscriber.ReceivedIdAsync(after, Bounded.DefaultWait);
        Assert.Equal(["before", "up"], subscriber.Events.Select(item => item.Data));
        Assert.Equal(1, subscriber.Connections);
    }

    /// <summary>Starts <paramref name="count"/> nodes on the test's Redis with one key prefix, and
    /// returns once each is ready: a node follows the stream from its newest update when it
    /// starts, so only a ready node delivers everything published after a subscriber connects.</summary>
    private async Task<HubNode[]> StartNodesAsync(string prefix, int count) =>
        await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            HeraldProcess process = HeraldProcess.Start(
                "serve", "--port", "0", "--publisher-key", TestTokens.PublisherKey, "--subscriber-key", TestTokens.SubscriberKey,
                "--redis", _redis.Url, "--redis-prefix", prefix);
            lock (_processes)
            {
                _processes.Add(process);
            }

            var node = new HubNode(process, await process.WaitForHubUrlAsync());
            await UntilStatusAsync(node.ReadyUrl, HttpStatusCode.OK);
            return node;
        }));

    private async Task<ClusterSubscriber> SubscribeAsync(HubNode node, HubNode fallback, string topic, string? lastEventId = null)
    {
        ClusterSubscriber subscriber = await ClusterSubscriber.ConnectAsync(_streams, SubscribeUrl(node, topic), SubscribeUrl(fallback, topic), SubscriberToken, lastEventId);
        lock (_subscribers)
        {
            _subscribers.Add(subscriber);
        }

        return subscriber;
    }

    private static string SubscribeUrl(HubNode node, string topic) => node.HubUrl + "?topic=" + Uri.EscapeDataString(topic);

    private async Task<(HttpStatusCode Status, string Body)> PublishAsync(HubNode node, string topic, string data, string? id = null)
    {
        var form = new List<KeyValuePair<string, string>> { new("topic", topic), new("data", data) };
        if (id is not null)
        {
            form.Add(new("id", id));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, node.HubUrl) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new("Bearer", PublisherToken);
        using HttpResponseMessage response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Publishes and returns the update's id; anything but 200 fails the test.</summary>
    private async Task<string> PublishOkAsync(HubNode node, string topic, string data, string? id = null)
    {
        (HttpStatusCode status, string body) = await PublishAsync(node, topic, data, id);
        Assert.True(status == HttpStatusCode.OK, $"Publishing {data} answered {(int)status}: {body}");
        return body;
    }

    private async Task<HttpStatusCode> StatusAsync(string url)
    {
        using HttpResponseMessage response = await _http.GetAsync(url);
        return response.StatusCode;
    }

    /// <summary>Polls a probe until it answers <paramref name="status"/>: readiness is state, with
    /// no event to await.</summary>
    private async Task UntilStatusAsync(string url, HttpStatusCode status)
    {
        using CancellationTokenSource bound = Bounded.Wait(TimeSpan.FromSeconds(20));
        HttpStatusCode last = default;
        while (!bound.IsCancellationRequested)
        {
            last = await StatusAsync(url);
            if (last == status)
            {
                return;
            }

            try
            {
                await Task.Delay(20, bound.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        Assert.Fail($"{url} still answered {(int)last}, not {(int)status}.");
    }

    /// <summary>Null when <paramref name="events"/> are exactly the updates with
    /// <paramref name="ids"/> and <paramref name="data"/>, in that order; else where they part.</summary>
    private static string? DescribeDifference(IReadOnlyList<SseItem> events, List<string> ids, string[] data)
    {
        for (int i = 0; i < Math.Min(events.Count, ids.Count); i++)
        {
            if (events[i].LastEventId != ids[i] || events[i].Data != data[i])
            {
                return $"event {i} is {events[i].Data} ({events[i].LastEventId}), expected {data[i]} ({ids[i]}); {events.Count} events received";
            }
        }

        return events.Count == ids.Count ? null : $"{events.Count} events received, expected {ids.Count}";
    }

    /// <summary>Orders <c>outage-N</c> ids by N: publish order.</summary>
    private static int ByNumber(string left, string right) =>
        int.Parse(left.AsSpan(left.LastIndexOf('-') + 1), CultureInfo.InvariantCulture).CompareTo(int.Parse(right.AsSpan(right.LastIndexOf('-') + 1), CultureInfo.InvariantCulture));

    /// <summary>One <c>herald serve</c> process and where it answers.</summary>
    private sealed record HubNode(HeraldProcess Process, string HubUrl)
    {
        private string BaseUrl => HubUrl[..HubUrl.IndexOf("/.well-known/", StringComparison.Ordinal)];

        public string ReadyUrl => BaseUrl + "/readyz";

        public string HealthUrl => BaseUrl + "/healthz";
    }
}
