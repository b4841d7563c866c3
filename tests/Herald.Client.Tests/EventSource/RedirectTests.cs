using System.Net;
using Microsoft.AspNetCore.Http;

namespace Herald.Client.Tests.EventSource;

/// <summary>Redirects, which the client follows itself.</summary>
public sealed class RedirectTests
{
    [Theory]
    [InlineData(301, "POST")]
    [InlineData(302, "POST")]
    [InlineData(303, "GET")]
    [InlineData(307, "POST")]
    [InlineData(308, "POST")]
    public async Task Each_redirect_is_followed_and_only_303_turns_the_request_into_a_GET(int status, string method)
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(exchange =>
        {
            if (exchange.Request.Path == "/start")
            {
                exchange.Response.StatusCode = status;
                exchange.Response.Headers.Location = "/stream";
                return Task.CompletedTask;
            }

            return exchange.OfferAsync();
        });
        var options = new EventSourceOptions
        {
            Url = server.Url("/start"),
            Method = HttpMethod.Post,
            Body = "hello"u8.ToArray(),
            ReconnectionTime = TimeSpan.Zero,
            Headers = { ["Content-Type"] = "text/plain", ["Authorization"] = "Bearer same-origin" },
        };
        await using var reader = new SourceReader(options);

        Task<SseEvent> first = reader.NextAsync();
        ScriptedExchange stream = await server.NextExchangeAsync();
        await stream.SendAsync("id: 1\ndata: a\n\n");
        Assert.Equal("a", (await first).Data);

        Assert.Equal(method, stream.Request.Method);
        Assert.Equal(method == "POST" ? "hello" : "", stream.Request.BodyText);
        Assert.Equal("Bearer same-origin", stream.Request.Header("Authorization"));
        Assert.Equal(server.Url("/stream"), Assert.Single(reader.Opened).Url);

        // A reconnection starts from the configured URL again, with the method and body it had.
        Task<SseEvent> second = reader.NextAsync();
        stream.End();
        ScriptedExchange again = await server.NextExchangeAsync();
        await again.SendAsync("data: b\n\n");
        Assert.Equal("b", (await second).Data);
        Assert.Equal(
            [("POST", "/start"), (method, "/stream"), ("POST", "/start"), (method, "/stream")],
            server.Requests.Select(r => (r.Method, r.Path)));
        Assert.Equal("hello", server.Requests[2].BodyText);
        Assert.Equal("1", again.Request.Header("Last-Event-ID"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ftp://example.com/stream")]
    public async Task A_redirect_without_a_usable_Location_is_an_error_not_a_loop(string? location)
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(exchange =>
        {
            exchange.Response.StatusCode = StatusCodes.Status302Found;
            if (location is not null)
            {
                exchange.Response.Headers.Location = location;
            }

            return Task.CompletedTask;
        });
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url(), ReconnectionTime = TimeSpan.Zero });

        EventSourceResponseException error = await reader.FailsAsync<EventSourceResponseException>();

        Assert.Equal(EventSourceResponseError.InvalidRedirect, error.Error);
        Assert.Equal(HttpStatusCode.Found, error.StatusCode);
        Assert.Equal(1, server.RequestCount);
    }

    [Theory]
    [InlineData(null, 11)]
    [InlineData(2, 3)]
    [InlineData(0, 1)]
    public async Task Redirects_in_a_row_are_capped(int? maxRedirects, int requests)
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(exchange =>
        {
            exchange.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            exchange.Response.Headers.Location = "/again";
            return Task.CompletedTask;
        });
        var options = maxRedirects is { } max
            ? new EventSourceOptions { Url = server.Url(), MaxRedirects = max }
            : new EventSourceOptions { Url = server.Url() };
        await using var reader = new SourceReader(options);

        EventSourceResponseException error = await reader.FailsAsync<EventSourceResponseException>();

        Assert.Equal(EventSourceResponseError.TooManyRedirects, error.Error);
        Assert.Equal(requests, server.RequestCount);
    }

    [Fact]
    public async Task A_redirect_to_another_origin_keeps_the_headers_but_not_the_Authorization()
    {
        await using ScriptedServer target = await ScriptedServer.StartLiveAsync();
        await using ScriptedServer origin = await ScriptedServer.StartAsync(exchange =>
        {
            exchange.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            exchange.Response.Headers.Location = target.Url().ToString();
            return Task.CompletedTask;
        });
        var options = new EventSourceOptions
        {
            Url = origin.Url(),
            Headers = { ["Authorization"] = "Bearer secret", ["X-Herald-Test"] = "kept" },
        };
        await using var reader = new SourceReader(options);

        Task<SseEvent> first = reader.NextAsync();
        ScriptedExchange stream = await target.NextExchangeAsync();
        await stream.SendAsync("data: a\n\n");
        Assert.Equal("a", (await first).Data);

        Assert.Equal("Bearer secret", origin.Requests[0].Header("Authorization"));
        Assert.Null(stream.Request.Header("Authorization"));
        Assert.Equal("kept", stream.Request.Header("X-Herald-Test"));
    }
}
