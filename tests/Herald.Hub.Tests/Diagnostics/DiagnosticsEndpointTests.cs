using System.Net;
using System.Text.Json;
using Herald.Hub.Diagnostics;
using Herald.Sse;
using Herald.Testing;

namespace Herald.Hub.Tests.Diagnostics;

/// <summary>The delivery-path diagnostics stream that <c>herald doctor</c> reads, on real Kestrel.</summary>
public sealed class DiagnosticsEndpointTests
{
    [Fact]
    public async Task The_script_is_sent_in_order_with_the_subscription_headers_padding_and_the_idle_gap()
    {
        // Anonymous subscribers are off (the default): the stream carries no data and needs no token.
        await using HubHost host = await HubHost.StartAsync();
        await using SseTestClient stream = await SseTestClient.ConnectAsync(host.Client, DiagnosticsUrl(host, "idle=1"));

        HttpResponseMessage response = stream.Response;
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("private, no-cache, no-store, must-revalidate, max-age=0", response.Headers.NonValidated["Cache-Control"].ToString());
        Assert.Equal("no", response.Headers.GetValues("X-Accel-Buffering").Single());

        var events = new List<JsonElement>();
        var paddings = new List<int>();
        while (events.Count == 0 || events[^1].GetProperty("phase").GetString() != HeraldDiagnostics.EndPhase)
        {
            SseItem item = await stream.NextItemAsync();
            if (item.IsComment)
            {
                paddings.Add(item.Data.Length + 2); // The colon and the line feed.
                continue;
            }

            Assert.Equal(HeraldDiagnostics.ProbeEventType, item.Type);
            events.Add(JsonDocument.Parse(item.Data).RootElement.Clone());
        }

        await stream.Ended.WaitAsync(Bounded.DefaultWait);
        JsonElement open = events[0];
        Assert.Equal(HeraldDiagnostics.OpenPhase, open.GetProperty("phase").GetString());
        Assert.Equal("HTTP/1.1", open.GetProperty("protocol").GetString());
        Assert.False(open.GetProperty("forwarded").GetBoolean());
        Assert.Equal(1, open.GetProperty("idle").GetInt32());
        Assert.Equal(events.Count, open.GetProperty("events").GetInt32());
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.GetProperty("seq").GetInt32()));
        Assert.Equal([2048, 16384], paddings);
        Assert.Equal([2048, 16384], events.Where(e => e.TryGetProperty("padding", out _)).Select(e => e.GetProperty("padding").GetInt32()));

        string[] phases = [.. events.Select(e => e.GetProperty("phase").GetString()!).Distinct()];
        Assert.Equal([HeraldDiagnostics.OpenPhase, HeraldDiagnostics.PacedPhase, HeraldDiagnostics.BurstPhase, HeraldDiagnostics.PaddingPhase, HeraldDiagnostics.IdlePhase, HeraldDiagnostics.EndPhase], phases);

        double[] sentAt = [.. events.Select(e => e.GetProperty("t").GetDouble())];
        Assert.Equal(sentAt.Order(), sentAt);
        List<double> paced = [.. events.Where(e => e.GetProperty("phase").GetString() == HeraldDiagnostics.PacedPhase).Select(e => e.GetProperty("t").GetDouble())];
        Assert.All(paced.Zip(paced.Skip(1)), pair => Assert.True(pair.Second - pair.First >= 240, $"paced events {pair.First} and {pair.Second} ms are too close"));
        double idleAt = events.Single(e => e.GetProperty("phase").GetString() == HeraldDiagnostics.IdlePhase).GetProperty("t").GetDouble();
        Assert.True(sentAt[^1] - idleAt >= 990, $"the idle gap lasted {sentAt[^1] - idleAt} ms, not 1 s");
    }

    [Fact]
    public async Task A_request_through_a_proxy_is_reported_as_forwarded()
    {
        await using HubHost host = await HubHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, DiagnosticsUrl(host, "idle=0"));
        request.Headers.Add("X-Forwarded-For", "192.0.2.1");
        using CancellationTokenSource bound = Bounded.Wait();
        HttpResponseMessage response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, bound.Token);
        await using SseTestClient stream = SseTestClient.Read(response);

        SseItem open = await stream.NextEventAsync();
        Assert.True(JsonDocument.Parse(open.Data).RootElement.GetProperty("forwarded").GetBoolean());
    }

    [Theory]
    [InlineData("idle=61")]
    [InlineData("idle=-1")]
    [InlineData("idle=ten")]
    [InlineData("idle=")]
    public async Task An_idle_gap_out_of_bounds_is_a_400_that_says_the_bounds(string query)
    {
        await using HubHost host = await HubHost.StartAsync();
        using HttpResponseMessage response = await host.Client.GetAsync(DiagnosticsUrl(host, query));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("0 to 60", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Past_the_concurrent_limit_a_request_gets_429_and_a_slot_frees_when_a_stream_ends()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.MaxDiagnosticsStreams = 1);
        SseTestClient first = await SseTestClient.ConnectAsync(host.Client, DiagnosticsUrl(host, "idle=60"));
        await first.NextEventAsync();

        using (HttpResponseMessage refused = await host.Client.GetAsync(DiagnosticsUrl(host, "idle=0")))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter!.Delta);
        }

        // The client leaving ends its script and frees its slot; nothing signals that but a new
        // request being accepted, so poll with a bound.
        await first.DisposeAsync();
        using CancellationTokenSource bound = Bounded.Wait();
        while (true)
        {
            using HttpResponseMessage again = await host.Client.GetAsync(DiagnosticsUrl(host, "idle=0"), HttpCompletionOption.ResponseHeadersRead, bound.Token);
            if (again.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
            await Task.Delay(10, bound.Token);
        }
    }

    [Fact]
    public async Task Zero_streams_turns_the_endpoint_off()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.MaxDiagnosticsStreams = 0);
        using HttpResponseMessage response = await host.Client.GetAsync(DiagnosticsUrl(host, "idle=0"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("turned off", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_the_hub_ends_a_stream_in_its_idle_gap()
    {
        HubHost host = await HubHost.StartAsync();
        await using SseTestClient stream = await SseTestClient.ConnectAsync(host.Client, DiagnosticsUrl(host, "idle=60"));
        while (JsonDocument.Parse((await stream.NextEventAsync()).Data).RootElement.GetProperty("phase").GetString() != HeraldDiagnostics.IdlePhase)
        {
        }

        // Shutdown would otherwise wait out the minute of silence (and then give up on it).
        await host.DisposeAsync().AsTask().WaitAsync(Bounded.DefaultWait);
        await stream.Ended.WaitAsync(Bounded.DefaultWait);
    }

    private static string DiagnosticsUrl(HubHost host, string query) => $"{new Uri(host.BaseAddress, HeraldDiagnostics.DefaultPath)}?{query}";
}
