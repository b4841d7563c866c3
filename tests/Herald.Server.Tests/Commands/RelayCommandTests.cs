using System.Text.Json;
using Herald.Server.Commands;
using Herald.Sse;
using Herald.Testing;

namespace Herald.Server.Tests.Commands;

/// <summary>
/// <c>herald relay</c>: each recorded LLM stream, served by a local Kestrel, relayed into a real
/// hub and read back as any reader reads it; a Stop on the stream reaching the upstream; the
/// request sent as given; the exit codes.
/// </summary>
public sealed class RelayCommandTests : IAsyncLifetime
{
    private RelayHosts _hosts = null!;

    private HubHost Hub => _hosts.Hub;

    private UpstreamFixtureServer Upstream => _hosts.Upstream;

    public async Task InitializeAsync() => _hosts = await RelayHosts.StartAsync();

    [Theory]
    [MemberData(nameof(RelayFixtures.Names), MemberType = typeof(RelayFixtures))]
    public async Task A_recorded_stream_is_relayed_with_its_text_and_its_end_or_error(string name)
    {
        RelayFixture fixture = RelayFixtures.Named(name);
        string streamId = HeraldStreamTranscript.NewId(name);
        Task<HeraldStreamTranscript> reading = HeraldStreamTranscript.ReadAsync(Hub, streamId);

        (int exit, string output, string error) = await RunAsync(Arguments(streamId, name) with { Format = fixture.Format });

        HeraldStreamTranscript transcript = await reading;
        Assert.Equal(fixture.Text, transcript.Text);
        Assert.Equal(fixture.Ends ? "done" : "error", transcript.Status);
        Assert.Equal(fixture.Ends ? null : fixture.Reason, transcript.Reason);
        Assert.True((fixture.Ends ? 0 : RelayCommand.Failed) == exit, error);
        using JsonDocument end = JsonDocument.Parse(output);
        Assert.Equal(transcript.Status, end.RootElement.GetProperty("status").GetString());
        Assert.Equal(transcript.Tokens, end.RootElement.GetProperty("tokens").GetInt64());
        Assert.Equal(fixture.Ends ? fixture.Reason : null, end.RootElement.TryGetProperty("stopReason", out JsonElement stop) ? stop.GetString() : null);
        Assert.Equal(1, Upstream.RequestCount);
    }

    [Fact]
    public async Task A_cancel_of_the_stream_aborts_the_upstream_request_and_exits_1()
    {
        string streamId = HeraldStreamTranscript.NewId("cancel");
        Task<(int, string, string)> relaying = RunAsync(Arguments(streamId, "openai-chat", "hold=5"));
        UpstreamRequest request = await Upstream.NextRequestAsync();

        HeraldStreamTranscript transcript = await HeraldStreamTranscript.ReadAsync(Hub, streamId, async item =>
        {
            if (item.Type == SseItem.DefaultEventType && item.Data.Contains("one", StringComparison.Ordinal))
            {
                using var cancel = new HttpRequestMessage(HttpMethod.Post, $"/.well-known/herald/streams/{streamId}/cancel?reason=stop");
                using HttpResponseMessage cancelled = await Hub.Client.SendAsync(cancel);
                Assert.Equal(System.Net.HttpStatusCode.Accepted, cancelled.StatusCode);
            }
        });

        await request.Aborted.WaitAsync(Bounded.DefaultWait);
        (int exit, string output, string error) = await relaying.WaitAsync(Bounded.DefaultWait);
        Assert.Equal(("cancelled", "stop"), (transcript.Status, transcript.Reason));
        Assert.StartsWith("Relays carry one", transcript.Text, StringComparison.Ordinal);
        Assert.Equal(RelayCommand.Failed, exit);
        Assert.Contains("\"status\":\"cancelled\"", output, StringComparison.Ordinal);
        Assert.Contains("the stream was cancelled (stop)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_upstream_request_goes_out_once_with_the_method_body_file_and_headers()
    {
        using var directory = new TempDirectory();
        string bodyFile = Path.Combine(directory.Path, "request.json");
        await File.WriteAllTextAsync(bodyFile, "{\"model\":\"m\",\"stream\":true}");
        string streamId = HeraldStreamTranscript.NewId("request");

        (int exit, _, string error) = await RunAsync(Arguments(streamId, "anthropic") with
        {
            Body = "@" + bodyFile,
            Headers = ["x-api-key: sk-test", "anthropic-version: 2023-06-01"],
        });

        Assert.True(exit == 0, error);
        UpstreamRequest request = await Upstream.NextRequestAsync();
        Assert.Equal("POST", request.Method);
        Assert.Equal("{\"model\":\"m\",\"stream\":true}", request.Body);
        Assert.Equal("sk-test", request.Header("x-api-key"));
        Assert.Equal("2023-06-01", request.Header("anthropic-version"));
        Assert.Equal("application/json", request.Header("Content-Type"));
        Assert.Equal("text/event-stream", request.Header("Accept"));
        Assert.Equal(1, Upstream.RequestCount);
        Assert.DoesNotContain("sk-test", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_from_stdin_and_an_explicit_method_and_token()
    {
        string streamId = HeraldStreamTranscript.NewId("stdin");

        (int exit, _, string error) = await RunAsync(
            Arguments(streamId, "openai-responses") with { Body = "-", Method = "put", Key = null, Token = TestTokens.Publisher(HeraldStreamTranscript.StreamTopics) },
            stdin: "{\"input\":\"hi\"}");

        Assert.True(exit == 0, error);
        UpstreamRequest request = await Upstream.NextRequestAsync();
        Assert.Equal(("PUT", "{\"input\":\"hi\"}"), (request.Method, request.Body));
    }

    [Fact]
    public async Task An_upstream_that_refuses_fails_the_stream_and_exits_1()
    {
        string streamId = HeraldStreamTranscript.NewId("refused");
        Task<HeraldStreamTranscript> reading = HeraldStreamTranscript.ReadAsync(Hub, streamId);

        (int exit, _, _) = await RunAsync(Arguments(streamId, "openai-chat", "status=429"));

        Assert.Equal(RelayCommand.Failed, exit);
        HeraldStreamTranscript transcript = await reading;
        Assert.Equal(("error", "the upstream answered 429 TooManyRequests"), (transcript.Status, transcript.Reason));
    }

    [Fact]
    public async Task An_unreachable_upstream_fails_the_stream_and_exits_2()
    {
        Uri closed;
        await using (UpstreamFixtureServer gone = await UpstreamFixtureServer.StartAsync())
        {
            closed = gone.Url("openai-chat");
        }

        string streamId = HeraldStreamTranscript.NewId("unreachable");
        Task<HeraldStreamTranscript> reading = HeraldStreamTranscript.ReadAsync(Hub, streamId);

        (int exit, _, _) = await RunAsync(Arguments(streamId, "openai-chat") with { From = closed });

        Assert.Equal(RelayCommand.Unusable, exit);
        HeraldStreamTranscript transcript = await reading;
        Assert.Equal("error", transcript.Status);
        Assert.StartsWith("the upstream could not be reached", transcript.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_hub_exits_2_without_asking_the_upstream()
    {
        Uri closed;
        await using (UpstreamFixtureServer gone = await UpstreamFixtureServer.StartAsync())
        {
            closed = gone.BaseAddress;
        }

        (int exit, _, string error) = await RunAsync(Arguments(HeraldStreamTranscript.NewId("nohub"), "openai-chat") with { HubUrl = closed });

        Assert.Equal(RelayCommand.Unusable, exit);
        Assert.StartsWith("herald relay: cannot reach the hub", error, StringComparison.Ordinal);
        Assert.Equal(0, Upstream.RequestCount);
    }

    [Fact]
    public async Task A_stream_id_in_use_exits_1_without_asking_the_upstream()
    {
        string streamId = HeraldStreamTranscript.NewId("reused");
        Assert.Equal(0, (await RunAsync(Arguments(streamId, "anthropic"))).Exit);

        (int exit, _, string error) = await RunAsync(Arguments(streamId, "anthropic"));

        Assert.Equal(RelayCommand.Failed, exit);
        Assert.StartsWith("herald relay: the hub refused the stream: 409 ", error, StringComparison.Ordinal);
        Assert.Equal(1, Upstream.RequestCount);
    }

    [Theory]
    [InlineData("bad id!", null, "--stream 'bad id!' is not a stream id")]
    [InlineData("ok", "no colon", "--header 'no colon' is not 'Name: value'.")]
    public async Task Invalid_input_exits_2_before_anything_is_sent(string streamId, string? header, string message)
    {
        (int exit, _, string error) = await RunAsync(Arguments(streamId, "openai-chat") with { Headers = header is null ? null : [header] });

        Assert.Equal(RelayCommand.Unusable, exit);
        Assert.StartsWith("herald relay: " + message, error, StringComparison.Ordinal);
        Assert.Equal(0, Upstream.RequestCount);
    }

    [Fact]
    public async Task The_herald_executable_relays_with_its_flags()
    {
        string streamId = HeraldStreamTranscript.NewId("process");
        Task<HeraldStreamTranscript> reading = HeraldStreamTranscript.ReadAsync(Hub, streamId);

        await using HeraldProcess relay = HeraldProcess.Start(
            "relay", "--from", Upstream.Url("openai-chat").ToString(), "--body", "{\"stream\":true}", "-H", "Authorization: Bearer sk-test",
            "--stream", streamId, "--hub", Hub.HubUrl.ToString(), "--key", TestTokens.PublisherKey, "--format", "openai-chat");

        Assert.Equal(0, await relay.WaitForExitAsync());
        Assert.Equal(RelayFixtures.OpenAIChatText, (await reading).Text);
        Assert.Contains($"{{\"stream\":\"{streamId}\",\"status\":\"done\"", relay.Output, StringComparison.Ordinal);
        Assert.Equal("Bearer sk-test", (await Upstream.NextRequestAsync()).Header("Authorization"));
    }

    public async Task DisposeAsync() => await _hosts.DisposeAsync();

    /// <summary>A POST of a small JSON body to the fixture, into the stream, with a publisher token signed from the hub's key.</summary>
    private RelayArguments Arguments(string streamId, string fixture, string? query = null) =>
        new(Upstream.Url(fixture, query), streamId, Hub.BaseAddress, Body: "{\"stream\":true}", Key: TestTokens.PublisherKey);

    private static async Task<(int Exit, string Output, string Error)> RunAsync(RelayArguments arguments, string stdin = "")
    {
        using var input = new StringReader(stdin);
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        using CancellationTokenSource bound = Bounded.Wait();
        int exit = await RelayCommand.RunAsync(arguments, input, output, error, bound.Token);
        Assert.False(bound.IsCancellationRequested, $"Timed out relaying: {error}");
        return (exit, output.ToString(), error.ToString());
    }
}
