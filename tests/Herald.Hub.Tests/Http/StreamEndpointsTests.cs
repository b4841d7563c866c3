using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Herald.Hub.Streams;
using Herald.Hub.Tests.Streams;
using Herald.Sse;
using Herald.Testing;

namespace Herald.Hub.Tests.Http;

/// <summary>The token stream endpoints over real HTTP: the streaming publish in both body forms,
/// its refusals, a producer that dies, resume, cancel and its authorization.</summary>
public sealed class StreamEndpointsTests
{
    private static Task<HubHost> StartAsync(Action<HeraldOptions>? configure = null) => StreamReading.StartHubAsync(configure);

    private static async Task<JsonElement> NextNoticeAsync(SseTestClient control, string type)
    {
        SseItem item = await control.NextEventAsync();
        Assert.Equal(type, item.Type);
        using JsonDocument document = JsonDocument.Parse(item.Data);
        return document.RootElement.Clone();
    }

    private static async Task<HttpResponseMessage> PostAsync(HubHost host, string path, string contentType, string body, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.BaseAddress, path)) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new(contentType);
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        return await host.Client.SendAsync(request);
    }

    [Fact]
    public async Task An_event_stream_body_is_published_token_by_token_as_it_arrives_and_its_clean_end_is_done()
    {
        await using HubHost host = await StartAsync();
        RawProducer producer = await RawProducer.StartAsync(host, "sse-body");
        await using RawProducer owned = producer;
        Assert.Equal("active", (await NextNoticeAsync(producer.Control, "herald-stream")).GetProperty("status").GetString());

        await using SseTestClient reader = await SseTestClient.ConnectAsync(host.Client, StreamReading.StreamUrl(host, "sse-body"));
        Assert.Equal("sse-body:0", (await reader.NextEventAsync()).LastEventId);

        // Each token reaches the reader before the next is written: nothing waits for the body's end.
        await producer.WriteAsync("data: Hello\n\n");
        SseItem first = await reader.NextEventAsync();
        Assert.Equal(("Hello", "sse-body:1"), (first.Data, first.LastEventId));
        await producer.WriteAsync(": keep-alive\n\nid: ignored\ndata: , two\ndata: lines\n\n");
        SseItem second = await reader.NextEventAsync();
        Assert.Equal((", two\nlines", "sse-body:2"), (second.Data, second.LastEventId));
        await producer.WriteAsync("event: citation\ndata: {\"url\":\"https://example.com\"}\n\n");
        SseItem typed = await reader.NextEventAsync();
        Assert.Equal(("citation", "sse-body:3"), (typed.Type, typed.LastEventId));

        await producer.CompleteAsync();
        JsonElement summary = await NextNoticeAsync(producer.Control, "herald-stream");
        Assert.Equal("done", summary.GetProperty("status").GetString());
        Assert.Equal(3, summary.GetProperty("tokens").GetInt64());
        Assert.Equal("sse-body:4", summary.GetProperty("lastEventId").GetString());
        await producer.Control.Ended.WaitAsync(Bounded.DefaultWait);

        // The POST's own response carries the same, for clients that read it while sending.
        Assert.Equal(["herald-stream", "herald-stream"], (await producer.ResponseEventsAsync()).Select(e => e.Type));

        StreamReading end = await StreamReading.ReadAsync(reader);
        Assert.Equal(("done", 3L), (end.EndStatus, end.EndTokens));
    }

    [Fact]
    public async Task An_ndjson_body_takes_strings_token_objects_and_typed_events_and_an_error_line_fails_the_stream()
    {
        await using HubHost host = await StartAsync();
        RawProducer producer = await RawProducer.StartAsync(host, "nd", "application/x-ndjson");
        await using RawProducer owned = producer;
        await NextNoticeAsync(producer.Control, "herald-stream");
        await producer.WriteAsync("\"Hel\"\n{\"token\":\"lo\"}\r\n\n{\"event\":\"tool\",\"data\":\"{}\"}\n{\"error\":\"the model overloaded\"}\n\"never\"\n");

        JsonElement summary = await NextNoticeAsync(producer.Control, "herald-stream");
        Assert.Equal(("error", 3L, "the model overloaded"), (summary.GetProperty("status").GetString(), summary.GetProperty("tokens").GetInt64(), summary.GetProperty("reason").GetString()));

        await using SseTestClient reader = await SseTestClient.ConnectAsync(host.Client, StreamReading.StreamUrl(host, "nd"));
        StreamReading reading = await StreamReading.ReadAsync(reader);
        Assert.Equal(("Hello", "error"), (reading.Text, reading.EndStatus));
        Assert.Equal(["nd:0", "nd:2", "nd:3", "nd:4"], reading.Ids);
    }

    [Theory]
    [InlineData("not json\n", "is not JSON")]
    [InlineData("42\n", "none of")]
    [InlineData("{\"event\":\"herald-stream\",\"data\":\"{}\"}\n", "reserved")]
    public async Task An_invalid_ndjson_line_fails_the_stream_with_the_reason(string line, string reason)
    {
        await using HubHost host = await StartAsync();
        RawProducer producer = await RawProducer.StartAsync(host, "bad-line", "application/x-ndjson");
        await using RawProducer owned = producer;
        await NextNoticeAsync(producer.Control, "herald-stream");
        await producer.WriteAsync("\"ok\"\n" + line);
        JsonElement summary = await NextNoticeAsync(producer.Control, "herald-stream");
        Assert.Equal("error", summary.GetProperty("status").GetString());
        Assert.Contains(reason, summary.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opening_is_refused_with_the_status_the_problem_names()
    {
        await using HubHost host = await StartAsync(o => o.MaxActiveStreams = 1);
        string root = TokenStreamNames.DefaultPath;
        string all = TestTokens.Publisher("*");

        using HttpResponseMessage badId = await PostAsync(host, root + "/bad%20id", "text/event-stream", string.Empty, all);
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        using HttpResponseMessage badType = await PostAsync(host, root + "/ok", "text/plain", string.Empty, all);
        Assert.Equal(HttpStatusCode.BadRequest, badType.StatusCode);
        using HttpResponseMessage noToken = await PostAsync(host, root + "/ok", "text/event-stream", string.Empty, null);
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        using HttpResponseMessage subscriberToken = await PostAsync(host, root + "/ok", "text/event-stream", string.Empty, TestTokens.Subscriber(["*"]));
        Assert.Equal(HttpStatusCode.Unauthorized, subscriberToken.StatusCode);
        using HttpResponseMessage otherTopic = await PostAsync(host, root + "/ok", "text/event-stream", string.Empty, TestTokens.Publisher(root + "/other"));
        Assert.Equal(HttpStatusCode.Forbidden, otherTopic.StatusCode);

        // A template allowing every stream, as a producer's token would carry.
        RawProducer producer = await RawProducer.StartAsync(host, "ok", token: TestTokens.Publisher(root + "/{id}"));
        await using RawProducer owned = producer;
        using HttpResponseMessage full = await PostAsync(host, root + "/second", "text/event-stream", string.Empty, all);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, full.StatusCode);
        Assert.NotNull(full.Headers.RetryAfter);
        await producer.CompleteAsync();
        await NextNoticeAsync(producer.Control, "herald-stream");
        await NextNoticeAsync(producer.Control, "herald-stream");

        using HttpResponseMessage reused = await PostAsync(host, root + "/ok", "text/event-stream", string.Empty, all);
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        Assert.Contains("single use", await reused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Only a stream's producer writes on its topic: the ordinary publish refuses it, even as an absolute URL.
        foreach (string topic in new[] { root + "/ok", "https://example.com" + root + "/forged" })
        {
            using HttpResponseMessage forged = await host.PostAsync([new("topic", topic), new("data", "forged")]);
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        }
    }

    [Fact]
    public async Task A_producer_killed_mid_stream_ends_it_as_an_error()
    {
        await using HubHost host = await StartAsync();
        await using SseTestClient reader = await SseTestClient.ConnectAsync(host.Client, StreamReading.StreamUrl(host, "killed"));

        // A raw socket stands for a producer process: it sends half a body, then its socket is closed.
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(host.BaseAddress.Host, host.BaseAddress.Port);
            string head = $"POST {TokenStreamNames.DefaultPath}/killed HTTP/1.1\r\nHost: {host.BaseAddress.Authority}\r\n"
                + $"Authorization: Bearer {TestTokens.Publisher("*")}\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
            const string chunk = "data: partial\n\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(head + $"{chunk.Length:x}\r\n{chunk}\r\n"));
            StreamReading before = await StreamReading.ReadAsync(reader, stopAfterEvents: 2);
            Assert.Equal("partial", before.Text);
        }

        StreamReading after = await StreamReading.ReadAsync(reader);
        Assert.Equal("error", after.EndStatus);
        Assert.Equal(1, after.EndTokens);
        Assert.Contains("disconnected", after.End!.Value.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silent_producer_ends_as_an_error_after_the_idle_timeout_but_comments_keep_it_alive()
    {
        await using HubHost host = await StartAsync(o => o.StreamIdleTimeout = TimeSpan.FromMilliseconds(800));
        RawProducer producer = await RawProducer.StartAsync(host, "idle");
        await using RawProducer owned = producer;
        await NextNoticeAsync(producer.Control, "herald-stream");
        await producer.WriteAsync("data: a\n\n");

        JsonElement summary = await NextNoticeAsync(producer.Control, "herald-stream");
        Assert.Equal("error", summary.GetProperty("status").GetString());
        Assert.Contains("sent nothing", summary.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, summary.GetProperty("tokens").GetInt64());
    }

    [Fact]
    public async Task An_event_over_the_size_limit_fails_the_stream()
    {
        await using HubHost host = await StartAsync(o => o.MaxPublishBodySize = 1_024);
        RawProducer producer = await RawProducer.StartAsync(host, "huge");
        await using RawProducer owned = producer;
        await NextNoticeAsync(producer.Control, "herald-stream");
        await producer.WriteAsync("data: small\n\ndata: " + new string('x', 4_096) + "\n\n");
        JsonElement summary = await NextNoticeAsync(producer.Control, "herald-stream");
        Assert.Equal(("error", 1L), (summary.GetProperty("status").GetString(), summary.GetProperty("tokens").GetInt64()));
        Assert.Contains("larger than", summary.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reader_reconnecting_twenty_times_at_random_points_sees_every_token_exactly_once_in_order()
    {
        await using HubHost host = await StartAsync();
        RawProducer producer = await RawProducer.StartAsync(host, "flaky");
        await using RawProducer owned = producer;
        await NextNoticeAsync(producer.Control, "herald-stream");
        const int Tokens = 2_000;
        string expected = string.Concat(Enumerable.Range(1, Tokens).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i},")));
        Task producing = Task.Run(async () =>
        {
            for (int i = 1; i <= Tokens; i++)
            {
                await producer.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"data: {i},\n\n"));
                if (i % 50 == 0)
                {
                    await Task.Yield();
                }
            }

            await producer.CompleteAsync();
        });

        var random = new Random(7);
        StreamReading? reading = null;
        for (int reconnect = 0; reconnect <= 20 && reading?.End is null; reconnect++)
        {
            string? last = reading?.Ids[^1];
            await using SseTestClient reader = await SseTestClient.ConnectAsync(host.Client, StreamReading.StreamUrl(host, "flaky"), lastEventId: last);
            // The last connection reads to the end; the others drop after a random number of events.
            reading = await StreamReading.ReadAsync(reader, reading, reconnect == 20 ? int.MaxValue : random.Next(1, 40));
        }

        await producing.WaitAsync(Bounded.DefaultWait);
        Assert.NotNull(reading!.End);
        Assert.Equal(expected, reading.Text);
        List<long> numbers = [.. reading.Ids.Select(StreamReading.NumberOf)];
        Assert.Equal(numbers.Order(), numbers);
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
        Assert.Equal(Tokens + 1, numbers[^1]);
    }

    [Fact]
    public async Task Cancel_reaches_the_producer_on_its_control_channel_and_readers_see_the_stream_cancelled()
    {
        await using HubHost host = await StartAsync(o => o.AllowAnonymous = false);
        string topic = TokenStreamNames.TopicOf("stoppable");
        RawProducer producer = await RawProducer.StartAsync(host, "stoppable");
        await using RawProducer owned = producer;
        await NextNoticeAsync(producer.Control, "herald-stream");
        await producer.WriteAsync("data: one\n\n");
        await using SseTestClient reader = await SseTestClient.ConnectAsync(host.Client, StreamReading.StreamUrl(host, "stoppable"), token: TestTokens.Subscriber([topic]));
        Assert.Equal("one", (await StreamReading.ReadAsync(reader, stopAfterEvents: 2)).Text);

        string cancel = TokenStreamNames.DefaultPath + "/stoppable/cancel";
        using HttpResponseMessage anonymous = await PostAsync(host, cancel, "text/plain", string.Empty, null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using HttpResponseMessage forged = await PostAsync(host, cancel, "text/plain", string.Empty, "not.a.token");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        using HttpResponseMessage otherReader = await PostAsync(host, cancel, "text/plain", string.Empty, TestTokens.Subscriber([TokenStreamNames.TopicOf("other")]));
        Assert.Equal(HttpStatusCode.Forbidden, otherReader.StatusCode);
        using HttpResponseMessage unknown = await PostAsync(host, TokenStreamNames.DefaultPath + "/nobody/cancel", "text/plain", string.Empty, TestTokens.Subscriber(["*"]));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using HttpResponseMessage accepted = await PostAsync(host, cancel + "?reason=Stop", "text/plain", string.Empty, TestTokens.Subscriber([topic]));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        JsonElement notice = await NextNoticeAsync(producer.Control, "herald-cancel");
        Assert.Equal("Stop", notice.GetProperty("reason").GetString());
        JsonElement summary = await NextNoticeAsync(producer.Control, "herald-stream");
        Assert.Equal(("cancelled", 1L), (summary.GetProperty("status").GetString(), summary.GetProperty("tokens").GetInt64()));

        StreamReading end = await StreamReading.ReadAsync(reader);
        Assert.Equal("cancelled", end.EndStatus);

        // The producer keeps sending until it sees the cancel; the hub discards that, and answers the POST once the body ends.
        await producer.WriteAsync("data: too late\n\n");
        await producer.CompleteAsync();
        List<SseItem> response = await producer.ResponseEventsAsync();
        Assert.Equal(["herald-stream", "herald-cancel", "herald-stream"], response.Select(e => e.Type));
        Assert.Contains("\"cancelled\"", response[^1].Data, StringComparison.Ordinal);

        // A publisher token for the topic may cancel too; once ended, a cancel is a conflict.
        using HttpResponseMessage again = await PostAsync(host, cancel, "text/plain", string.Empty, TestTokens.Publisher(topic));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("cancelled", JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_private_stream_is_read_only_with_a_token_for_its_topic()
    {
        await using HubHost host = await StartAsync();
        RawProducer producer = await RawProducer.StartAsync(host, "secret", query: "?private");
        await using RawProducer owned = producer;
        await NextNoticeAsync(producer.Control, "herald-stream");
        await producer.WriteAsync("data: for your eyes\n\n");
        await producer.CompleteAsync();
        await NextNoticeAsync(producer.Control, "herald-stream");

        await using SseTestClient allowed = await SseTestClient.ConnectAsync(host.Client, StreamReading.StreamUrl(host, "secret"), token: TestTokens.Subscriber([TokenStreamNames.TopicOf("secret")]));
        Assert.Equal("for your eyes", (await StreamReading.ReadAsync(allowed)).Text);

        // Anonymous readers are allowed on this hub, but see nothing of a private stream.
        await using SseTestClient anonymous = await SseTestClient.ConnectAsync(host.Client, StreamReading.StreamUrl(host, "secret"));
        await Assert.ThrowsAsync<TimeoutException>(() => anonymous.NextEventAsync(TimeSpan.FromMilliseconds(300)));

        // Nor may they cancel it.
        using HttpResponseMessage cancel = await PostAsync(host, TokenStreamNames.DefaultPath + "/secret/cancel", "text/plain", string.Empty, null);
        Assert.Equal(HttpStatusCode.Unauthorized, cancel.StatusCode);
    }
}
