using System.Text;
using System.Text.Json;
using Herald.Client.Streams.Relay;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Client.Tests.Streams.Relay;

/// <summary>
/// The recorded streams of each format, served by real Kestrel a few bytes at a time, read into
/// the format-agnostic parts: the text exactly, then one end or one error with the upstream's reason.
/// </summary>
public sealed class UpstreamReaderTests
{
    public static TheoryData<string, RelayFormat, string, UpstreamPartKind, string> Fixtures()
    {
        var data = new TheoryData<string, RelayFormat, string, UpstreamPartKind, string>();
        foreach (RelayFixture fixture in RelayFixtures.All)
        {
            UpstreamPartKind kind = fixture.Ends ? UpstreamPartKind.End : UpstreamPartKind.Error;
            data.Add(fixture.Name, FormatOf(fixture.Format), fixture.Text, kind, fixture.Reason);
            data.Add(fixture.Name, RelayFormat.Auto, fixture.Text, kind, fixture.Reason);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task A_recorded_stream_reads_as_its_text_then_its_end_or_error(string fixture, RelayFormat format, string text, UpstreamPartKind kind, string reason)
    {
        await using UpstreamFixtureServer server = await UpstreamFixtureServer.StartAsync();

        List<UpstreamPart> parts = await ReadAsync(Post(server.Url(fixture)), format);

        Assert.Equal(text, Text(parts));
        UpstreamPart last = parts[^1];
        Assert.Equal(kind, last.Kind);
        Assert.Equal(reason, last.Value);
        Assert.Single(parts, part => part.IsFinal);
        Assert.All(parts.SkipLast(1), part => Assert.Equal(UpstreamPartKind.Text, part.Kind));
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Bytes_one_at_a_time_read_the_same()
    {
        await using UpstreamFixtureServer server = await UpstreamFixtureServer.StartAsync(chunkSize: 1);

        List<UpstreamPart> parts = await ReadAsync(Post(server.Url("openai-chat")), RelayFormat.Auto);

        Assert.Equal(RelayFixtures.OpenAIChatText, Text(parts));
        Assert.Equal(UpstreamPartKind.End, parts[^1].Kind);
    }

    [Fact]
    public async Task The_request_goes_out_once_with_its_method_body_and_headers()
    {
        await using UpstreamFixtureServer server = await UpstreamFixtureServer.StartAsync();
        var options = new EventSourceOptions
        {
            Url = server.Url("anthropic"),
            Method = HttpMethod.Post,
            Body = "{\"stream\":true}"u8.ToArray(),
            // Reconnect is on here: the reader must ignore it.
            ReconnectionTime = TimeSpan.Zero,
        };
        options.Headers["x-api-key"] = "sk-test";
        options.Headers["Content-Type"] = "application/json";

        await ReadAsync(options, RelayFormat.Anthropic);

        UpstreamRequest request = await server.NextRequestAsync();
        Assert.Equal("POST", request.Method);
        Assert.Equal("{\"stream\":true}", request.Body);
        Assert.Equal("sk-test", request.Header("x-api-key"));
        Assert.Equal("application/json", request.Header("Content-Type"));
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task A_break_of_the_upstream_is_an_error_and_the_request_is_not_sent_again()
    {
        await using UpstreamFixtureServer server = await UpstreamFixtureServer.StartAsync();
        var options = new EventSourceOptions { Url = server.Url("openai-chat", "hold=4"), Method = HttpMethod.Post, ReconnectionTime = TimeSpan.Zero };
        using CancellationTokenSource bound = Bounded.Wait();
        var parts = new List<UpstreamPart>();

        await foreach (UpstreamPart part in UpstreamReader.ReadAsync(options, RelayFormat.OpenAIChat, bound.Token))
        {
            parts.Add(part);
            if (parts.Count == 3)
            {
                // Everything sent so far has arrived: now the connection breaks.
                (await server.NextRequestAsync()).Break();
            }
        }

        Assert.False(bound.IsCancellationRequested, "Timed out reading the upstream.");
        Assert.Equal("Relays carry one", Text(parts));
        UpstreamPart error = parts[^1];
        Assert.Equal(UpstreamPartKind.Error, error.Kind);
        Assert.StartsWith("the upstream connection broke off", error.Value, StringComparison.Ordinal);
        Assert.True(error.Exception is HttpRequestException or IOException, $"expected a network error, got {error.Exception}");
        Assert.Equal(1, server.RequestCount);
    }

    [Theory]
    [InlineData("openai-chat", RelayFormat.OpenAIChat, "data: [DONE]")]
    [InlineData("openai-responses", RelayFormat.OpenAIResponses, "response.completed")]
    [InlineData("anthropic", RelayFormat.Anthropic, "message_stop")]
    public async Task A_clean_end_before_the_formats_end_event_is_an_error(string fixture, RelayFormat format, string missing)
    {
        await using UpstreamFixtureServer server = await UpstreamFixtureServer.StartAsync();

        List<UpstreamPart> parts = await ReadAsync(Post(server.Url(fixture, "end=6")), format);

        UpstreamPart error = Assert.Single(parts, part => part.IsFinal);
        Assert.Equal(UpstreamPartKind.Error, error.Kind);
        Assert.Equal($"the upstream stream ended before its end ({missing})", error.Value);
        Assert.Null(error.Exception);
    }

    [Fact]
    public async Task A_chat_stream_that_stopped_but_left_out_done_has_ended()
    {
        await using UpstreamFixtureServer server = await UpstreamFixtureServer.StartAsync();
        server.Add("no-done", Chunk("{\"content\":\"ok\"}", null) + Chunk("{}", "length"));

        List<UpstreamPart> parts = await ReadAsync(Post(server.Url("no-done")), RelayFormat.Auto);

        Assert.Equal("ok", Text(parts));
        Assert.Equal(UpstreamPartKind.End, parts[^1].Kind);
        Assert.Equal("length", parts[^1].Value);
    }

    [Fact]
    public async Task A_refused_request_is_an_error_with_its_status_and_no_url()
    {
        await using UpstreamFixtureServer server = await UpstreamFixtureServer.StartAsync();

        List<UpstreamPart> parts = await ReadAsync(Post(server.Url("openai-chat", "status=401&key=secret")), RelayFormat.Auto);

        UpstreamPart error = Assert.Single(parts);
        Assert.Equal(UpstreamPartKind.Error, error.Kind);
        Assert.Equal("the upstream answered 401 Unauthorized", error.Value);
        Assert.IsType<EventSourceResponseException>(error.Exception);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task An_answer_that_is_not_a_stream_is_an_error_that_says_so()
    {
        await using UpstreamFixtureServer server = await UpstreamFixtureServer.StartAsync();

        UpstreamPart error = Assert.Single(await ReadAsync(Post(server.Url("openai-chat", "status=200")), RelayFormat.Auto));

        Assert.Equal(UpstreamPartKind.Error, error.Kind);
        Assert.Equal("the upstream answered with Content-Type 'application/json', not an event stream (does the request ask for a stream?)", error.Value);
    }

    [Fact]
    public async Task Silence_past_the_read_timeout_is_an_error()
    {
        var time = new FakeTimeProvider();
        await using UpstreamFixtureServer server = await UpstreamFixtureServer.StartAsync();
        var options = new EventSourceOptions { Url = server.Url("anthropic", "hold=5"), ReadTimeout = TimeSpan.FromSeconds(30), TimeProvider = time };
        using CancellationTokenSource bound = Bounded.Wait();
        await using IAsyncEnumerator<UpstreamPart> parts = UpstreamReader.ReadAsync(options, RelayFormat.Anthropic, bound.Token).GetAsyncEnumerator(bound.Token);

        Assert.True(await parts.MoveNextAsync());
        Assert.True(await parts.MoveNextAsync());
        Assert.Equal(" are", parts.Current.Value);
        // The next read waits on a held response: 30 s of the fake clock end it.
        ValueTask<bool> silent = parts.MoveNextAsync();
        time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(await silent);
        Assert.Equal(UpstreamPartKind.Error, parts.Current.Kind);
        Assert.Equal("the upstream went silent: No data arrived for 30000 ms.", parts.Current.Value);
        Assert.IsType<TimeoutException>(parts.Current.Exception);
        Assert.False(await parts.MoveNextAsync());
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task An_unreachable_upstream_is_an_error()
    {
        Uri refused;
        await using (UpstreamFixtureServer gone = await UpstreamFixtureServer.StartAsync())
        {
            refused = gone.Url("openai-chat");
        }

        UpstreamPart error = Assert.Single(await ReadAsync(Post(refused), RelayFormat.Auto));

        Assert.Equal(UpstreamPartKind.Error, error.Kind);
        Assert.StartsWith("the upstream could not be reached", error.Value, StringComparison.Ordinal);
        Assert.Equal(HttpRequestError.ConnectionError, Assert.IsType<HttpRequestException>(error.Exception).HttpRequestError);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 3 }, "went from 1 to 3", 2)]
    [InlineData(new[] { 0, 2, 1 }, "went from 0 to 2", 1)]
    [InlineData(new[] { 0, 1, 1 }, "went from 1 to 1", 2)]
    public async Task A_gap_or_step_back_in_the_sequence_numbers_is_an_error(int[] sequence, string says, int textsBefore)
    {
        await using UpstreamFixtureServer server = await UpstreamFixtureServer.StartAsync();
        var stream = new StringBuilder();
        foreach (int number in sequence)
        {
            stream.Append(ResponsesEvent("response.output_text.delta", $"\"delta\":\"{number} \"", number));
        }

        server.Add("gap", stream.Append(ResponsesEvent("response.completed", "\"response\":{\"status\":\"completed\"}", sequence[^1] + 1)).ToString());

        List<UpstreamPart> parts = await ReadAsync(Post(server.Url("gap")), RelayFormat.OpenAIResponses);

        Assert.Equal(UpstreamPartKind.Error, parts[^1].Kind);
        Assert.Contains(says, parts[^1].Value, StringComparison.Ordinal);
        Assert.Equal(textsBefore, parts.Count(part => part.Kind == UpstreamPartKind.Text));
    }

    [Theory]
    [InlineData("response.incomplete", "\"response\":{\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"max_output_tokens\"}}", "incomplete: max_output_tokens")]
    [InlineData("error", "\"code\":\"rate_limit_exceeded\",\"message\":\"Slow down.\",\"param\":null", "rate_limit_exceeded: Slow down.")]
    [InlineData("error", "\"error\":{\"code\":\"server_error\",\"message\":\"Nested.\"}", "server_error: Nested.")]
    public async Task Responses_failures_other_than_failed_are_errors(string type, string fields, string reason)
    {
        await using UpstreamFixtureServer server = await UpstreamFixtureServer.StartAsync();
        server.Add("failure", ResponsesEvent("response.output_text.delta", "\"delta\":\"cut \"", 0) + ResponsesEvent(type, fields, 1));

        List<UpstreamPart> parts = await ReadAsync(Post(server.Url("failure")), RelayFormat.Auto);

        Assert.Equal("cut ", Text(parts));
        Assert.Equal(UpstreamPartKind.Error, parts[^1].Kind);
        Assert.Equal(reason, parts[^1].Value);
    }

    [Fact]
    public async Task Tool_calls_read_the_same_from_every_format()
    {
        await using UpstreamFixtureServer server = await UpstreamFixtureServer.StartAsync();
        server.Add("chat-tools",
            Chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"\"}}]}", null) +
            Chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}", null) +
            Chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Oslo\\\"}\"}}]}", "tool_calls") +
            "data: [DONE]\n\n");
        server.Add("anthropic-tools",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"weather\",\"input\":{}}}\n\n" +
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\":\"}}\n\n" +
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"Oslo\\\"}\"}}\n\n" +
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"}}\n\n" +
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        server.Add("responses-tools",
            ResponsesEvent("response.output_item.added", "\"output_index\":0,\"item\":{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":\"weather\",\"arguments\":\"\"}", 0) +
            ResponsesEvent("response.function_call_arguments.delta", "\"output_index\":0,\"item_id\":\"fc_1\",\"delta\":\"{\\\"city\\\":\"", 1) +
            ResponsesEvent("response.function_call_arguments.delta", "\"output_index\":0,\"item_id\":\"fc_1\",\"delta\":\"\\\"Oslo\\\"}\"", 2) +
            ResponsesEvent("response.completed", "\"response\":{\"status\":\"completed\"}", 3));
        string[] expected =
        [
            "{\"index\":0,\"id\":\"call_1\",\"name\":\"weather\",\"arguments\":\"\"}",
            "{\"index\":0,\"arguments\":\"{\\u0022city\\u0022:\"}",
            "{\"index\":0,\"arguments\":\"\\u0022Oslo\\u0022}\"}",
        ];

        foreach (string name in new[] { "chat-tools", "anthropic-tools", "responses-tools" })
        {
            List<UpstreamPart> parts = await ReadAsync(Post(server.Url(name)), RelayFormat.Auto);

            Assert.Equal(expected, parts.SkipLast(1).Select(part => part.Value));
            Assert.All(parts.SkipLast(1), part => Assert.Equal(UpstreamPart.ToolCallEventType, part.EventType));
            Assert.Equal(UpstreamPartKind.End, parts[^1].Kind);
            string arguments = string.Concat(parts.SkipLast(1).Select(part => JsonDocument.Parse(part.Value).RootElement.GetProperty("arguments").GetString()));
            Assert.Equal("{\"city\":\"Oslo\"}", arguments);
        }
    }

    [Theory]
    [InlineData("event: thing\ndata: {\"hello\":1}\n\n", "cannot tell the upstream's format from its first event (type 'thing'); name the format")]
    [InlineData("data: not json\n\n", "cannot tell the upstream's format from its first event (type 'message'); name the format")]
    [InlineData(": only a comment\n\n", "the upstream stream ended without sending an event")]
    public async Task Auto_detection_refuses_what_it_cannot_tell(string stream, string reason)
    {
        await using UpstreamFixtureServer server = await UpstreamFixtureServer.StartAsync();
        server.Add("unknown", stream);

        UpstreamPart error = Assert.Single(await ReadAsync(Post(server.Url("unknown")), RelayFormat.Auto));

        Assert.Equal(UpstreamPartKind.Error, error.Kind);
        Assert.Equal(reason, error.Value);
    }

    [Fact]
    public async Task Data_that_is_not_json_is_an_error()
    {
        await using UpstreamFixtureServer server = await UpstreamFixtureServer.StartAsync();
        server.Add("garbled", Chunk("{\"content\":\"a\"}", null) + "data: {\"choices\":[\n\n");

        List<UpstreamPart> parts = await ReadAsync(Post(server.Url("garbled")), RelayFormat.OpenAIChat);

        Assert.Equal("a", Text(parts));
        Assert.StartsWith("the upstream sent an event whose data is not JSON", parts[^1].Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_closes_the_upstream_request()
    {
        await using UpstreamFixtureServer server = await UpstreamFixtureServer.StartAsync();
        using var stop = new CancellationTokenSource();
        using CancellationTokenSource bound = Bounded.Wait();
        var texts = new List<string>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (UpstreamPart part in UpstreamReader.ReadAsync(Post(server.Url("anthropic", "hold=5")), RelayFormat.Anthropic, stop.Token).WithCancellation(bound.Token))
            {
                texts.Add(part.Value);
                if (texts.Count == 2)
                {
                    await stop.CancelAsync();
                }
            }
        });

        Assert.False(bound.IsCancellationRequested, "timed out instead of being cancelled");
        Assert.Equal(["Pings", " are"], texts);
        UpstreamRequest request = await server.NextRequestAsync();
        await request.Aborted.WaitAsync(Bounded.DefaultWait);
    }

    private static RelayFormat FormatOf(string name) => name switch
    {
        "openai-chat" => RelayFormat.OpenAIChat,
        "openai-responses" => RelayFormat.OpenAIResponses,
        "anthropic" => RelayFormat.Anthropic,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private static EventSourceOptions Post(Uri url) => new() { Url = url, Method = HttpMethod.Post, Body = "{}"u8.ToArray() };

    private static async Task<List<UpstreamPart>> ReadAsync(EventSourceOptions options, RelayFormat format)
    {
        using CancellationTokenSource bound = Bounded.Wait();
        var parts = new List<UpstreamPart>();
        await foreach (UpstreamPart part in UpstreamReader.ReadAsync(options, format, bound.Token))
        {
            parts.Add(part);
        }

        Assert.False(bound.IsCancellationRequested, "Timed out reading the upstream.");
        return parts;
    }

    private static string Text(IEnumerable<UpstreamPart> parts) =>
        string.Concat(parts.Where(part => part.Kind == UpstreamPartKind.Text).Select(part => part.Value));

    private static string Chunk(string delta, string? finishReason) =>
        $"data: {{\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"finish_reason\":{(finishReason is null ? "null" : $"\"{finishReason}\"")}}}]}}\n\n";

    private static string ResponsesEvent(string type, string fields, int sequence) =>
        $"event: {type}\ndata: {{\"type\":\"{type}\",{fields},\"sequence_number\":{sequence}}}\n\n";
}
