using Herald.Client.Streams;
using Herald.Client.Streams.Relay;
using Herald.Sse;

namespace Herald.Client.Tests.Streams.Relay;

/// <summary>
/// The relay end to end: a recorded upstream stream on one Kestrel, a real hub on another, and a
/// reader of the Herald stream that sees the text and the lifecycle the upstream's end or error maps to.
/// </summary>
public sealed class StreamRelayTests : IAsyncLifetime, IDisposable
{
    private RelayHosts _hosts = null!;
    private TokenStreamClient _producer = null!;

    private HubHost Hub => _hosts.Hub;

    private UpstreamFixtureServer Upstream => _hosts.Upstream;

    public async Task InitializeAsync()
    {
        _hosts = await RelayHosts.StartAsync();
        _producer = new TokenStreamClient(new TokenStreamClientOptions { HubUrl = Hub.BaseAddress, Token = TestTokens.Publisher(HeraldStreamTranscript.StreamTopics) });
    }

    [Theory]
    [MemberData(nameof(RelayFixtures.Names), MemberType = typeof(RelayFixtures))]
    public async Task A_recorded_stream_is_republished_with_its_text_and_its_end_or_error(string name)
    {
        RelayFixture fixture = RelayFixtures.Named(name);
        string streamId = HeraldStreamTranscript.NewId(name);
        Task<HeraldStreamTranscript> reading = HeraldStreamTranscript.ReadAsync(Hub, streamId);

        RelaySummary summary = await RelayAsync(streamId, Post(Upstream.Url(name)));

        HeraldStreamTranscript transcript = await reading;
        Assert.Equal(fixture.Text, transcript.Text);
        Assert.Empty(transcript.Events);
        Assert.Equal(fixture.Ends ? "done" : "error", transcript.Status);
        Assert.Equal(fixture.Ends ? null : fixture.Reason, transcript.Reason);
        Assert.Equal(fixture.Ends ? TokenStreamStatus.Done : TokenStreamStatus.Error, summary.Status);
        Assert.Equal(fixture.Reason, summary.UpstreamEnd!.Value);
        Assert.Equal(transcript.Tokens, summary.Stream!.Tokens);
        Assert.Equal(1, Upstream.RequestCount);
    }

    [Fact]
    public async Task A_cancel_of_the_herald_stream_aborts_the_upstream_request()
    {
        string streamId = HeraldStreamTranscript.NewId("cancel");
        var tokensArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<HeraldStreamTranscript> reading = HeraldStreamTranscript.ReadAsync(Hub, streamId, item =>
        {
            if (item.Type == SseItem.DefaultEventType)
            {
                tokensArrived.TrySetResult();
            }

            return Task.CompletedTask;
        });
        Task<RelaySummary> relaying = RelayAsync(streamId, Post(Upstream.Url("anthropic", "hold=6")));
        UpstreamRequest request = await Upstream.NextRequestAsync();
        await tokensArrived.Task.WaitAsync(Bounded.DefaultWait);

        // Stop, as a reader's page sends it: POST .../cancel with a token that may read or produce the stream.
        using var cancel = new HttpRequestMessage(HttpMethod.Post, $"/.well-known/herald/streams/{streamId}/cancel?reason=the%20user%20pressed%20Stop");
        cancel.Headers.Authorization = new("Bearer", TestTokens.Publisher(HeraldStreamTranscript.StreamTopics));
        using HttpResponseMessage cancelled = await Hub.Client.SendAsync(cancel);

        Assert.Equal(System.Net.HttpStatusCode.Accepted, cancelled.StatusCode);
        await request.Aborted.WaitAsync(Bounded.DefaultWait);
        RelaySummary summary = await relaying.WaitAsync(Bounded.DefaultWait);
        Assert.Equal(TokenStreamStatus.Cancelled, summary.Status);
        Assert.Null(summary.UpstreamEnd);
        HeraldStreamTranscript transcript = await reading;
        Assert.Equal("cancelled", transcript.Status);
        Assert.Equal("the user pressed Stop", transcript.Reason);
        // At least the token the cancel waited for; what the upstream sent after the cancel is discarded.
        Assert.StartsWith("Pings", transcript.Text, StringComparison.Ordinal);
        Assert.True(RelayFixtures.AnthropicText.StartsWith(transcript.Text, StringComparison.Ordinal), transcript.Text);
    }

    [Fact]
    public async Task A_break_of_the_upstream_fails_the_stream()
    {
        string streamId = HeraldStreamTranscript.NewId("break");
        Task<RelaySummary> relaying = RelayAsync(streamId, Post(Upstream.Url("openai-responses", "hold=8")));
        UpstreamRequest request = await Upstream.NextRequestAsync();
        HeraldStreamTranscript transcript = await HeraldStreamTranscript.ReadAsync(Hub, streamId, async item =>
        {
            // The fourth text delta (the 8th event) has been published: now the upstream breaks.
            if (item.Type == SseItem.DefaultEventType && item.Data.EndsWith(" the", StringComparison.Ordinal))
            {
                request.Break();
            }

            await Task.CompletedTask;
        });

        Assert.Equal("Sequence numbers keep the", transcript.Text);
        Assert.Equal("error", transcript.Status);
        Assert.StartsWith("the upstream connection broke off", transcript.Reason, StringComparison.Ordinal);
        Assert.Equal(TokenStreamStatus.Error, (await relaying.WaitAsync(Bounded.DefaultWait)).Status);
        Assert.Equal(1, Upstream.RequestCount);
    }

    [Fact]
    public async Task Stopping_the_relay_aborts_the_upstream_and_fails_the_stream()
    {
        string streamId = HeraldStreamTranscript.NewId("stopped");
        using var stop = new CancellationTokenSource();
        Task<RelaySummary> relaying = RelayAsync(streamId, Post(Upstream.Url("openai-chat", "hold=3")), stop.Token);
        UpstreamRequest request = await Upstream.NextRequestAsync();
        HeraldStreamTranscript transcript = await HeraldStreamTranscript.ReadAsync(Hub, streamId, async item =>
        {
            if (item.Type == SseItem.DefaultEventType)
            {
                await stop.CancelAsync();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => relaying.WaitAsync(Bounded.DefaultWait));
        await request.Aborted.WaitAsync(Bounded.DefaultWait);
        Assert.Equal("error", transcript.Status);
        Assert.Equal(StreamRelay.StoppedReason, transcript.Reason);
    }

    [Fact]
    public async Task Tool_calls_are_republished_as_typed_events()
    {
        Upstream.Add("tools",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"clock\",\"input\":{}}}\n\n" +
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}\n\n" +
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        string streamId = HeraldStreamTranscript.NewId("tools");
        Task<HeraldStreamTranscript> reading = HeraldStreamTranscript.ReadAsync(Hub, streamId);

        await RelayAsync(streamId, Post(Upstream.Url("tools")));

        HeraldStreamTranscript transcript = await reading;
        Assert.Equal(
            [
                ("tool-call", "{\"index\":1,\"id\":\"toolu_1\",\"name\":\"clock\",\"arguments\":\"\"}"),
                ("tool-call", "{\"index\":1,\"arguments\":\"{}\"}"),
            ],
            transcript.Events);
        Assert.Equal("done", transcript.Status);
    }

    public async Task DisposeAsync() => await _hosts.DisposeAsync();

    public void Dispose() => _producer.Dispose();

    private static EventSourceOptions Post(Uri url) => new() { Url = url, Method = HttpMethod.Post, Body = "{\"stream\":true}"u8.ToArray() };

    private async Task<RelaySummary> RelayAsync(string streamId, EventSourceOptions upstream, CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource bound = Bounded.Wait();
        await using TokenStreamWriter writer = await _producer.OpenAsync(streamId, cancellationToken: bound.Token);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(bound.Token, cancellationToken);
        try
        {
            return await StreamRelay.RelayAsync(upstream, writer, RelayFormat.Auto, linked.Token);
        }
        finally
        {
            Assert.False(bound.IsCancellationRequested, "Timed out relaying.");
        }
    }
}
