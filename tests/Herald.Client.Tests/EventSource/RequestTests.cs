using System.Text;

namespace Herald.Client.Tests.EventSource;

/// <summary>What the client sends: the default headers, custom ones, methods with a body, on every connection.</summary>
public sealed class RequestTests
{
    [Fact]
    public async Task A_default_request_is_a_GET_asking_for_an_uncached_event_stream()
    {
        await using ScriptedServer server = await ScriptedServer.StartLiveAsync();
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url("/stream?topic=a%20b") });

        Task<SseEvent> first = reader.NextAsync();
        ScriptedExchange stream = await server.NextExchangeAsync();
        await stream.SendAsync("data: a\n\n");
        await first;

        RecordedRequest request = stream.Request;
        Assert.Equal("GET", request.Method);
        Assert.Equal("/stream?topic=a%20b", request.Path);
        Assert.Equal("text/event-stream", request.Header("Accept"));
        Assert.Equal("no-cache", request.Header("Cache-Control"));
        Assert.Null(request.Header("Last-Event-ID"));
        Assert.Empty(request.Body);
        Assert.Equal(server.Url("/stream?topic=a%20b"), reader.Opened.Single().Url);
        Assert.Equal("", reader.Opened.Single().LastEventId);
    }

    [Fact]
    public async Task A_POST_body_and_custom_headers_are_sent_unchanged_with_every_reconnection()
    {
        const string json = "{\"topics\":[\"a\",\"b\"],\"note\":\"\u00E9\"}";
        await using ScriptedServer server = await ScriptedServer.StartSequenceAsync("id: 7\ndata: a\n\n", "data: b\n\n");
        var options = new EventSourceOptions
        {
            Url = server.Url(),
            Method = HttpMethod.Post,
            Body = Encoding.UTF8.GetBytes(json),
            ReconnectionTime = TimeSpan.Zero,
            Headers =
            {
                ["Content-Type"] = "application/json; charset=utf-8",
                ["X-Herald-Test"] = "value-1",
                ["Authorization"] = "Bearer token",
            },
        };
        await using var reader = new SourceReader(options);

        await reader.NextAsync(2);

        Assert.All(server.Requests, request =>
        {
            Assert.Equal("POST", request.Method);
            Assert.Equal(json, request.BodyText);
            Assert.Equal("application/json; charset=utf-8", request.Header("Content-Type"));
            Assert.Equal("value-1", request.Header("X-Herald-Test"));
            Assert.Equal("Bearer token", request.Header("Authorization"));
            Assert.Equal("text/event-stream", request.Header("Accept"));
        });
        Assert.Equal(2, server.RequestCount);
        Assert.Equal("7", server.Requests[1].Header("Last-Event-ID"));
    }

    [Fact]
    public async Task Any_method_can_carry_the_body_such_as_REPORT()
    {
        await using ScriptedServer server = await ScriptedServer.StartLiveAsync();
        var options = new EventSourceOptions
        {
            Url = server.Url(),
            Method = new HttpMethod("REPORT"),
            Body = "{\"hello\": \"world\"}"u8.ToArray(),
            Headers = { ["Content-Type"] = "application/json" },
        };
        await using var reader = new SourceReader(options);

        Task<SseEvent> first = reader.NextAsync();
        ScriptedExchange stream = await server.NextExchangeAsync();
        await stream.SendAsync("data: a\n\n");
        await first;

        Assert.Equal("REPORT", stream.Request.Method);
        Assert.Equal("{\"hello\": \"world\"}", stream.Request.BodyText);
        Assert.Equal("application/json", stream.Request.Header("Content-Type"));
    }

    [Fact]
    public async Task Custom_Accept_and_Cache_Control_replace_the_defaults()
    {
        await using ScriptedServer server = await ScriptedServer.StartLiveAsync();
        var options = new EventSourceOptions
        {
            Url = server.Url(),
            Headers = { ["accept"] = "text/event-stream; q=1", ["cache-control"] = "no-store" },
        };
        await using var reader = new SourceReader(options);

        Task<SseEvent> first = reader.NextAsync();
        ScriptedExchange stream = await server.NextExchangeAsync();
        await stream.SendAsync("data: a\n\n");
        await first;

        Assert.Equal("text/event-stream; q=1", stream.Request.Header("Accept"));
        Assert.Equal("no-store", stream.Request.Header("Cache-Control"));
    }

    [Fact]
    public void Options_that_cannot_work_are_refused_up_front()
    {
        Assert.Throws<ArgumentException>(() => new EventSourceClient(new Uri("ftp://example.com/stream")));
        Assert.Throws<ArgumentException>(() => new EventSourceClient(new EventSourceOptions { Url = new Uri("/stream", UriKind.Relative) }));
        Assert.Throws<ArgumentException>(() => new EventSourceClient(new EventSourceOptions { Url = new Uri("http://127.0.0.1/"), LastEventId = "a\nb" }));
        Assert.Throws<ArgumentException>(() => new EventSourceClient(new EventSourceOptions
        {
            Url = new Uri("http://127.0.0.1/"),
            Headers = { ["last-event-id"] = "1" },
        }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EventSourceOptions { Url = new Uri("http://127.0.0.1/"), ReadTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new EventSourceOptions { Url = new Uri("http://127.0.0.1/"), MaxRedirects = -1 });
    }
}
