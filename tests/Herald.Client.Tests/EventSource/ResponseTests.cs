using System.Net;
using Microsoft.AspNetCore.Http;

namespace Herald.Client.Tests.EventSource;

/// <summary>Responses that are not an event stream: 204, error statuses, the wrong content type.</summary>
public sealed class ResponseTests
{
    [Fact]
    public async Task A_204_closes_the_source_for_good()
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(exchange =>
        {
            exchange.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        });
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url(), ReconnectionTime = TimeSpan.Zero });

        await reader.EndAsync();

        Assert.Equal(EventSourceState.Closed, reader.Source.State);
        Assert.Equal(1, server.RequestCount);
        Assert.Empty(reader.Errors);
    }

    [Fact]
    public async Task A_204_on_reconnection_ends_the_enumeration_after_the_events_before_it()
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(async exchange =>
        {
            if (exchange.Request.Number > 1)
            {
                exchange.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }

            await exchange.StartEventStreamAsync();
            await exchange.SendAsync("id: 1\ndata: a\n\n");
        });
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url(), ReconnectionTime = TimeSpan.Zero });

        Assert.Equal("a", (await reader.NextAsync()).Data);
        await reader.EndAsync();

        Assert.Equal(2, server.RequestCount);
        Assert.Equal("1", server.Requests[1].Header("Last-Event-ID"));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    [InlineData(404)]
    [InlineData(201)]
    public async Task Any_other_status_fails_without_reconnecting(int status)
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(exchange =>
        {
            exchange.Response.StatusCode = status;
            exchange.Response.Headers.RetryAfter = "0";
            return Task.CompletedTask;
        });
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url(), ReconnectionTime = TimeSpan.Zero });

        EventSourceResponseException error = await reader.FailsAsync<EventSourceResponseException>();

        Assert.Equal((HttpStatusCode)status, error.StatusCode);
        Assert.Equal(EventSourceResponseError.UnexpectedStatus, error.Error);
        Assert.Equal(server.Url(), error.Url);
        Assert.Equal(1, server.RequestCount);
        Assert.Equal(EventSourceState.Closed, reader.Source.State);
        Assert.Empty(reader.Errors);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    public async Task When_opted_in_5xx_and_429_are_retried_no_sooner_than_Retry_After(int status)
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(async exchange =>
        {
            if (exchange.Request.Number == 1)
            {
                exchange.Response.StatusCode = status;
                exchange.Response.Headers.RetryAfter = "1";
                return;
            }

            await exchange.StartEventStreamAsync();
            await exchange.SendAsync("data: back\n\n");
            await exchange.HoldOpenAsync();
        });
        await using var reader = new SourceReader(new EventSourceOptions
        {
            Url = server.Url(),
            ReconnectionTime = TimeSpan.FromMilliseconds(10),
            ReconnectOnTransientStatus = true,
        });

        Assert.Equal("back", (await reader.NextAsync()).Data);

        EventSourceErrorEventArgs retried = Assert.Single(reader.Errors);
        var error = Assert.IsType<EventSourceResponseException>(retried.Exception);
        Assert.Equal((HttpStatusCode)status, error.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), error.RetryAfter);
        // The backoff alone would have waited 10 ms.
        Assert.Equal(TimeSpan.FromSeconds(1), retried.RetryDelay);
    }

    [Fact]
    public async Task When_opted_in_other_client_errors_still_fail()
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(exchange =>
        {
            exchange.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        });
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url(), ReconnectOnTransientStatus = true });

        EventSourceResponseException error = await reader.FailsAsync<EventSourceResponseException>();

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task A_200_that_is_not_an_event_stream_fails_without_reconnecting()
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(async exchange =>
        {
            await exchange.StartEventStreamAsync("text/plain; charset=utf-8");
            await exchange.SendAsync("data: looks like SSE\n\n");
        });
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url(), ReconnectionTime = TimeSpan.Zero });

        EventSourceResponseException error = await reader.FailsAsync<EventSourceResponseException>();

        Assert.Equal(EventSourceResponseError.UnexpectedContentType, error.Error);
        Assert.Equal(HttpStatusCode.OK, error.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", error.ContentType);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task An_event_stream_content_type_with_parameters_and_any_case_is_accepted()
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(async exchange =>
        {
            await exchange.StartEventStreamAsync("Text/Event-Stream; charset=utf-8");
            await exchange.SendAsync("data: ok\n\n");
            await exchange.HoldOpenAsync();
        });
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url() });

        Assert.Equal("ok", (await reader.NextAsync()).Data);
    }
}
