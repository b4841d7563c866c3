using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Herald.Server.Bench;
using Herald.Testing;

namespace Herald.Server.Tests.Bench;

/// <summary>
/// The bench's tokens through Herald's real token stream endpoints (the hub on real Kestrel): a
/// reader the hub serves merged tokens still counts every token once, and the stream's lifecycle
/// events count for nothing.
/// </summary>
public sealed class StreamingPublishTests
{
    [Fact]
    public async Task A_replay_of_merged_bench_tokens_counts_every_token_once_and_nothing_else()
    {
        const int Tokens = 300;
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        string url = new Uri(host.BaseAddress, BenchSettings.StreamTopicPrefix + "merged").ToString();

        // The whole stream in one body: its tokens are stored together, so the replay merges them.
        var body = new MemoryStream();
        byte[] token = new byte[BenchPublisher.TokenEventCapacity(20)];
        for (int sequence = 0; sequence < Tokens; sequence++)
        {
            body.Write(token, 0, BenchPublisher.WriteTokenEvent(token, sequence, Stopwatch.GetTimestamp(), 20));
        }

        using var produce = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body.ToArray()) };
        produce.Content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
        produce.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Publisher("*"));
        using HttpResponseMessage produced = await host.Client.SendAsync(produce);
        string control = await produced.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, produced.StatusCode);
        Assert.Contains($"\"status\":\"done\",\"tokens\":{Tokens}", control, StringComparison.Ordinal);

        // Read after the end: the response ends after the final lifecycle event.
        byte[] replay = await host.Client.GetByteArrayAsync(url);
        string text = Encoding.ASCII.GetString(replay);
        int tokenEvents = text.Split("\n\n").Count(e => e.Length > 0 && !e.Contains("event: herald-stream", StringComparison.Ordinal));
        Assert.InRange(tokenEvents, 1, Tokens / 10);

        var tracker = new DeliveryTracker(Tokens);
        var stats = new ReceiveStats();
        bool completed = new EventDataScanner(tracker).Scan(replay, Stopwatch.GetTimestamp(), stats);

        Assert.True(completed);
        Assert.Equal((Tokens, 0, 0, 0), (tracker.Distinct, tracker.Duplicates, tracker.Reordered, tracker.Unexpected));
        Assert.Equal(Tokens, stats.Latency.Count);
    }
}
