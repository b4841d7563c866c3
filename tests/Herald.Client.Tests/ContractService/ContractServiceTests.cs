using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Herald.Client.ContractService;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Herald.Client.Tests.ContractService;

/// <summary>
/// The contract-test service in-process, driven as the harness drives it: a scripted SSE stream
/// and a callback receiver, both on Kestrel.
/// </summary>
public sealed class ContractServiceTests
{
    [Fact]
    public async Task A_stream_is_created_reports_in_order_listens_restarts_and_is_deleted()
    {
        await using ScriptedServer streams = await ScriptedServer.StartLiveAsync();
        await using ScriptedServer callbacks = await StartCallbackReceiverAsync();
        await using WebApplication service = await StartServiceAsync();
        using HttpClient harness = Harness(service);

        using (JsonDocument status = JsonDocument.Parse(await harness.GetStringAsync("/")))
        {
            Assert.Equal(
                ["comments", "headers", "last-event-id", "post", "report", "read-timeout", "restart", "bom", "event-type-listeners", "server-directed-shutdown-request"],
                status.RootElement.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        }

        using HttpResponseMessage created = await harness.PostAsJsonAsync("/", new
        {
            tag = "cycle",
            streamUrl = streams.Url("/stream"),
            callbackUrl = callbacks.Url("/callbacks/7"),
            initialDelayMs = 0,
            readTimeoutMs = (int?)null,
            lastEventId = "start",
            method = "POST",
            body = "{\"hello\": \"world\"}",
            headers = new Dictionary<string, string> { ["content-type"] = "application/json; charset=utf-8", ["header-name-1"] = "value-1" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Uri location = created.Headers.Location!;
        Assert.Equal("/streams/1", location.OriginalString);

        ScriptedExchange one = await streams.NextExchangeAsync();
        Assert.Equal("POST", one.Request.Method);
        Assert.Equal("{\"hello\": \"world\"}", one.Request.BodyText);
        Assert.Equal("application/json; charset=utf-8", one.Request.Header("Content-Type"));
        Assert.Equal("value-1", one.Request.Header("header-name-1"));
        Assert.Equal("start", one.Request.Header("Last-Event-ID"));

        await one.SendAsync(":Hello\ndata: first\n\n");
        await AssertCallbackAsync(callbacks, 1, """{"kind":"comment","comment":"Hello"}""");
        await AssertCallbackAsync(callbacks, 2, """{"kind":"event","event":{"type":"message","data":"first","id":"start"}}""");

        // Not listened for: skipped, as the marker after it shows.
        await one.SendAsync("event: custom\ndata: unheard\n\nid: 5\ndata: marker\n\n");
        await AssertCallbackAsync(callbacks, 3, """{"kind":"event","event":{"type":"message","data":"marker","id":"5"}}""");
        using (HttpResponseMessage listen = await harness.PostAsJsonAsync(location, new { command = "listen", listen = new { type = "custom" } }))
        {
            Assert.Equal(HttpStatusCode.OK, listen.StatusCode);
        }

        await one.SendAsync("event: custom\ndata: heard\n\n");
        await AssertCallbackAsync(callbacks, 4, """{"kind":"event","event":{"type":"custom","data":"heard","id":"5"}}""");

        // A restart reconnects with the last id and the same request, and is not an error.
        using (HttpResponseMessage restart = await harness.PostAsJsonAsync(location, new { command = "restart" }))
        {
            Assert.Equal(HttpStatusCode.OK, restart.StatusCode);
        }

        ScriptedExchange two = await streams.NextExchangeAsync();
        Assert.Equal("5", two.Request.Header("Last-Event-ID"));
        Assert.Equal("{\"hello\": \"world\"}", two.Request.BodyText);
        await one.Gone.WaitAsync(Bounded.DefaultWait);
        await two.SendAsync("data: second\n\n");
        await AssertCallbackAsync(callbacks, 5, """{"kind":"event","event":{"type":"message","data":"second","id":"5"}}""");

        // The server ending the stream is an error, then the client reconnects.
        two.End();
        await AssertCallbackAsync(callbacks, 6, """{"kind":"error","error":"The server ended the stream."}""");
        ScriptedExchange three = await streams.NextExchangeAsync();
        await three.SendAsync("data: third\n\n");
        await AssertCallbackAsync(callbacks, 7, """{"kind":"event","event":{"type":"message","data":"third","id":"5"}}""");

        using (HttpResponseMessage unknown = await harness.PostAsJsonAsync(location, new { command = "dance" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        }

        using (HttpResponseMessage missing = await harness.PostAsJsonAsync("/streams/99", new { command = "restart" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using (HttpResponseMessage deleted = await harness.DeleteAsync(location))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await three.Gone.WaitAsync(Bounded.DefaultWait);
        using (HttpResponseMessage again = await harness.DeleteAsync(location))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        using (HttpResponseMessage stop = await harness.DeleteAsync("/"))
        {
            Assert.Equal(HttpStatusCode.NoContent, stop.StatusCode);
        }

        using CancellationTokenSource bound = Bounded.Wait();
        await service.WaitForShutdownAsync(bound.Token);
        Assert.False(bound.IsCancellationRequested, "DELETE / did not stop the service");
    }

    [Fact]
    public async Task A_read_timeout_is_reported_as_an_error_before_the_reconnection()
    {
        // The event leaves with the headers, so it is there before the timeout can pass; then silence.
        await using ScriptedServer streams = await ScriptedServer.StartAsync(async exchange =>
        {
            if (exchange.Request.Number > 1)
            {
                await exchange.OfferAsync();
                return;
            }

            await exchange.StartEventStreamAsync("data: Hello\n\n"u8.ToArray());
            await exchange.HoldOpenAsync();
        });
        await using ScriptedServer callbacks = await StartCallbackReceiverAsync();
        await using WebApplication service = await StartServiceAsync();
        using HttpClient harness = Harness(service);

        using HttpResponseMessage created = await harness.PostAsJsonAsync("/", new
        {
            streamUrl = streams.Url(),
            callbackUrl = callbacks.Url("/callbacks/1/"),
            initialDelayMs = 0,
            readTimeoutMs = 500,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await AssertCallbackAsync(callbacks, 1, """{"kind":"event","event":{"type":"message","data":"Hello","id":""}}""");
        RecordedRequest error = await callbacks.NextRequestAsync();
        Assert.Equal("/callbacks/1/2", error.Path);
        Assert.StartsWith("""{"kind":"error","error":"No data arrived for 500 ms""", error.BodyText, StringComparison.Ordinal);
        ScriptedExchange two = await streams.NextExchangeAsync();
        Assert.Equal(2, two.Request.Number);
    }

    [Fact]
    public async Task A_create_request_without_the_urls_is_refused()
    {
        await using WebApplication service = await StartServiceAsync();
        using HttpClient harness = Harness(service);

        using HttpResponseMessage noUrls = await harness.PostAsJsonAsync("/", new { tag = "incomplete" });
        using HttpResponseMessage notJson = await harness.PostAsync("/", new StringContent("{not json"));

        Assert.Equal(HttpStatusCode.BadRequest, noUrls.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
    }

    [Theory]
    [InlineData(new string[0], true, 8000)]
    [InlineData(new[] { "--port", "9123" }, true, 9123)]
    [InlineData(new[] { "--port=0" }, true, 0)]
    [InlineData(new[] { "--port" }, false, 0)]
    [InlineData(new[] { "--port", "70000" }, false, 0)]
    [InlineData(new[] { "--verbose" }, false, 0)]
    public void The_port_comes_from_the_command_line(string[] args, bool valid, int port)
    {
        Assert.Equal(valid, ServiceArguments.TryParsePort(args, out int parsed));
        if (valid)
        {
            Assert.Equal(port, parsed);
        }
    }

    private static async Task<WebApplication> StartServiceAsync()
    {
        WebApplication service = ContractServiceApp.Create(0);
        await service.StartAsync();
        return service;
    }

    private static HttpClient Harness(WebApplication service) =>
        new() { BaseAddress = ContractServiceApp.Address(service), Timeout = Bounded.DefaultWait };

    private static Task<ScriptedServer> StartCallbackReceiverAsync() => ScriptedServer.StartAsync(exchange =>
    {
        exchange.Response.StatusCode = StatusCodes.Status202Accepted;
        return Task.CompletedTask;
    });

    /// <summary>The next callback is number <paramref name="n"/> with exactly this JSON.</summary>
    private static async Task AssertCallbackAsync(ScriptedServer callbacks, int n, string json)
    {
        RecordedRequest callback = await callbacks.NextRequestAsync();
        Assert.Equal("POST", callback.Method);
        Assert.EndsWith($"/{n}", callback.Path, StringComparison.Ordinal);
        Assert.Equal(json, callback.BodyText);
    }
}
