using System.Net;
using System.Text;
using System.Text.Json;
using Herald.Hub.Streams;
using Herald.Sse;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Hub.Redis.Tests.Streams;

/// <summary>
/// Token streams across hub nodes on one real Redis: read and resumed on a node that does not
/// produce them, single use across nodes, and cancelled from any node.
/// </summary>
public sealed class ClusterTokenStreamTests : RedisTests
{
    [Fact]
    public async Task A_stream_produced_on_one_node_is_read_resumed_and_finished_on_another()
    {
        await using HubHost a = await ClusterNode.StartAsync(Redis);
        await using HubHost b = await ClusterNode.StartAsync(Redis);
        string id = HeraldStreamTranscript.NewId("cluster-read");
        await using TokenStreamProducer producer = await a.Services.GetRequiredService<TokenStreams>().OpenAsync(id);
        await producer.WriteAsync("Hel");

        await using (SseTestClient reader = await SseTestClient.ConnectAsync(b.Client, HeraldStreamTranscript.Url(b.BaseAddress, id)))
        {
            SseItem start = await reader.NextEventAsync();
            Assert.Equal((TokenStreamNames.LifecycleEventType, $"{id}:0"), (start.Type, start.LastEventId));
            SseItem first = await reader.NextEventAsync();
            Assert.Equal(("Hel", $"{id}:1"), (first.Data, first.LastEventId));
        }

        await producer.WriteAsync("lo");
        TokenStreamSummary summary = await producer.CompleteAsync();
        Assert.Equal(TokenStreamStatus.Done, summary.Status);

        // Resumed on B after the first token: the rest, the end, and then the response ends.
        await using (SseTestClient resumed = await SseTestClient.ConnectAsync(b.Client, HeraldStreamTranscript.Url(b.BaseAddress, id), lastEventId: $"{id}:1"))
        {
            HeraldStreamTranscript rest = await HeraldStreamTranscript.ReadAsync(resumed);
            Assert.Equal(("lo", "done", 2L), (rest.Text, rest.Status, rest.Tokens));
            await resumed.Ended.WaitAsync(Bounded.DefaultWait);
        }

        HeraldStreamTranscript whole = await HeraldStreamTranscript.ReadAsync(b, id);
        Assert.Equal(("Hello", "done"), (whole.Text, whole.Status));

        using var final = new HttpRequestMessage(HttpMethod.Get, HeraldStreamTranscript.Url(b.BaseAddress, id));
        final.Headers.Add("Last-Event-ID", summary.LastEventId);
        using HttpResponseMessage noMore = await b.Client.SendAsync(final);
        Assert.Equal(HttpStatusCode.NoContent, noMore.StatusCode);
    }

    [Fact]
    public async Task An_id_opened_on_one_node_is_refused_on_another()
    {
        await using HubHost a = await ClusterNode.StartAsync(Redis);
        await using HubHost b = await ClusterNode.StartAsync(Redis);
        string id = HeraldStreamTranscript.NewId("cluster-taken");
        await using TokenStreamProducer producer = await a.Services.GetRequiredService<TokenStreams>().OpenAsync(id);

        using var request = new HttpRequestMessage(HttpMethod.Post, HeraldStreamTranscript.Url(b.BaseAddress, id))
        {
            Content = new StringContent("data: mine\n\n", Encoding.UTF8, "text/event-stream"),
        };
        request.Headers.Authorization = new("Bearer", TestTokens.Publisher(HeraldStreamTranscript.StreamTopics));
        using HttpResponseMessage refused = await b.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(TokenStreamStatus.Active, producer.Status);
    }

    [Fact]
    public async Task Two_nodes_opening_one_id_at_once_make_exactly_one_stream()
    {
        await using HubHost a = await ClusterNode.StartAsync(Redis);
        await using HubHost b = await ClusterNode.StartAsync(Redis);
        TokenStreams onA = a.Services.GetRequiredService<TokenStreams>();
        TokenStreams onB = b.Services.GetRequiredService<TokenStreams>();
        for (int round = 0; round < 20; round++)
        {
            string id = HeraldStreamTranscript.NewId($"cluster-race-{round}");
            Task<TokenStreamProducer>[] opening = [Task.Run(() => onA.OpenAsync(id)), Task.Run(() => onB.OpenAsync(id))];
            await Task.WhenAny(Task.WhenAll(opening), Task.Delay(Bounded.DefaultWait));
            Assert.All(opening, task => Assert.True(task.IsCompleted, "an open did not finish"));
            TokenStreamProducer winner = await Assert.Single(opening, task => task.IsCompletedSuccessfully);
            Assert.IsType<TokenStreamExistsException>(Assert.Single(opening, task => task.IsFaulted).Exception!.InnerException);

            await winner.WriteAsync("only");
            await winner.CompleteAsync();

            // The stream is the winner's alone: the loser stored no end of its own in it.
            HeraldStreamTranscript read = await HeraldStreamTranscript.ReadAsync(a, id);
            Assert.Equal(("only", "done", 1L), (read.Text, read.Status, read.Tokens));
            Assert.Equal(0, onA.ActiveCount + onB.ActiveCount);
        }
    }

    [Fact]
    public async Task A_cancel_on_another_node_reaches_the_producer_and_no_subscriber_sees_the_request()
    {
        await using HubHost a = await ClusterNode.StartAsync(Redis);
        await using HubHost b = await ClusterNode.StartAsync(Redis);
        await using HubHost c = await ClusterNode.StartAsync(Redis);
        string id = HeraldStreamTranscript.NewId("cluster-cancel");
        await using SseTestClient everything = await c.SubscribeAsync(["*"], allowed: ["*"]);
        await using TokenStreamProducer producer = await a.Services.GetRequiredService<TokenStreams>().OpenAsync(id);
        await producer.WriteAsync("partial");
        await using SseTestClient reader = await SseTestClient.ConnectAsync(b.Client, HeraldStreamTranscript.Url(b.BaseAddress, id));
        Assert.Equal($"{id}:1", (await reader.NextEventsAsync(2))[1].LastEventId);

        using HttpResponseMessage accepted = await CancelAsync(b, id, "stop please");
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        using (JsonDocument body = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync()))
        {
            Assert.Equal("cancelled", body.RootElement.GetProperty("status").GetString());
            Assert.Equal("stop please", body.RootElement.GetProperty("reason").GetString());
        }

        // Exactly like a local cancel: the producer is told, and the stream ends as cancelled.
        await Task.Delay(Timeout.Infinite, producer.Cancelled).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Bounded.DefaultWait);
        TokenStreamSummary summary = await producer.Completion.WaitAsync(Bounded.DefaultWait);
        Assert.Equal((TokenStreamStatus.Cancelled, "stop please"), (summary.Status, summary.Reason));
        HeraldStreamTranscript rest = await HeraldStreamTranscript.ReadAsync(reader);
        Assert.Equal(("cancelled", "stop please", 1L), (rest.Status, rest.Reason, rest.Tokens));

        // The request went through the history before the end, yet a subscriber to everything,
        // live or replaying, sees the stream's events and never the request.
        Assert.DoesNotContain(await UntilEndAsync(everything, summary.LastEventId), item => item.Type == TokenStreamNames.CancelEventType);
        await using SseTestClient replaying = await SseTestClient.ConnectAsync(b.Client, b.SubscribeUrl("*"), lastEventId: "earliest", token: TestTokens.Subscriber(["*"]));
        List<SseItem> replayed = await UntilEndAsync(replaying, summary.LastEventId);
        Assert.DoesNotContain(replayed, item => item.Type == TokenStreamNames.CancelEventType);
        Assert.Contains(replayed, item => item.LastEventId == $"{id}:0");

        // Ended: another cancel on any node says how; an unknown stream is unknown everywhere.
        foreach (HubHost node in new[] { a, b })
        {
            using HttpResponseMessage again = await CancelAsync(node, id, null);
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            using JsonDocument ended = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
            Assert.Equal(("cancelled", "stop please"), (ended.RootElement.GetProperty("status").GetString(), ended.RootElement.GetProperty("reason").GetString()));
        }

        using HttpResponseMessage unknown = await CancelAsync(b, HeraldStreamTranscript.NewId("never"), null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_cancel_on_another_node_of_a_finished_stream_answers_its_end()
    {
        await using HubHost a = await ClusterNode.StartAsync(Redis);
        await using HubHost b = await ClusterNode.StartAsync(Redis);
        string id = HeraldStreamTranscript.NewId("cluster-done");
        await using TokenStreamProducer producer = await a.Services.GetRequiredService<TokenStreams>().OpenAsync(id, isPrivate: true);
        await producer.WriteAsync("all");
        await producer.CompleteAsync();

        // Private: an anonymous cancel is refused on B as it would be on A.
        using var anonymous = new HttpRequestMessage(HttpMethod.Post, HeraldStreamTranscript.Url(b.BaseAddress, id) + "/cancel");
        using HttpResponseMessage refused = await b.Client.SendAsync(anonymous);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using HttpResponseMessage answer = await CancelAsync(b, id, null);
        Assert.Equal(HttpStatusCode.Conflict, answer.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal("done", body.RootElement.GetProperty("status").GetString());
    }

    private static async Task<HttpResponseMessage> CancelAsync(HubHost host, string streamId, string? reason)
    {
        string url = HeraldStreamTranscript.Url(host.BaseAddress, streamId) + "/cancel" + (reason is null ? string.Empty : "?reason=" + Uri.EscapeDataString(reason));
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Headers.Authorization = new("Bearer", TestTokens.Subscriber([HeraldStreamTranscript.StreamTopics]));
        return await host.Client.SendAsync(request);
    }

    /// <summary>The events up to and including the one with <paramref name="lastId"/>.</summary>
    private static async Task<List<SseItem>> UntilEndAsync(SseTestClient client, string lastId)
    {
        var items = new List<SseItem>();
        while (items.Count == 0 || items[^1].LastEventId != lastId)
        {
            items.Add(await client.NextEventAsync());
        }

        return items;
    }
}
