using System.Text.Json;
using Herald.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Herald.Server.Tests.Commands;

/// <summary><c>herald listen</c> as a real process, against <c>herald serve --dev</c> and against a
/// plain SSE endpoint that is not a hub.</summary>
public sealed class ListenCommandTests
{
    [Fact]
    public async Task Listen_prints_what_a_dev_hub_delivers_as_json_lines()
    {
        using var data = new TempDirectory();
        await using HeraldProcess hub = HeraldProcess.Start("serve", "--dev", "--port", "0", "--data-dir", data.Path);
        string hubUrl = await hub.WaitForHubUrlAsync();
        string token = (await hub.WaitForLineAsync(line => line.StartsWith("eyJ", StringComparison.Ordinal))).Trim();

        await using HeraldProcess listen = HeraldProcess.Start("listen", hubUrl + "?topic=" + Uri.EscapeDataString("https://example.com/{x}"), "--json");
        await listen.WaitForLineAsync(line => line.Contains("herald listen: connected to", StringComparison.Ordinal));
        using var client = new HttpClient();
        using var publish = new HttpRequestMessage(HttpMethod.Post, hubUrl)
        {
            Content = new FormUrlEncodedContent([new("topic", "https://example.com/1"), new("data", "line 1\n  line 2"), new("type", "note")]),
        };
        publish.Headers.Authorization = new("Bearer", token);
        using HttpResponseMessage published = await client.SendAsync(publish);
        string id = await published.Content.ReadAsStringAsync();

        string printed = await listen.WaitForLineAsync(line => line.StartsWith('{'));
        using JsonDocument json = JsonDocument.Parse(printed);
        Assert.Equal("note", json.RootElement.GetProperty("type").GetString());
        Assert.Equal("line 1\n  line 2", json.RootElement.GetProperty("data").GetString());
        Assert.Equal(id, json.RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Listen_reconnects_to_a_plain_sse_url_with_its_last_event_id_and_exits_0_on_204()
    {
        var lastEventIds = new List<string?>();
        await using WebApplication app = LoopbackApp.CreateBuilder().Build();
        app.MapGet("/stream", async (HttpContext context) =>
        {
            lock (lastEventIds)
            {
                lastEventIds.Add(context.Request.Headers["Last-Event-ID"].FirstOrDefault());
                if (lastEventIds.Count > 1)
                {
                    context.Response.StatusCode = StatusCodes.Status204NoContent;
                    return;
                }
            }

            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("retry: 50\nid: 7\nevent: tick\ndata: first\n\n");
        });
        Uri address = await LoopbackApp.StartAsync(app);

        await using HeraldProcess listen = HeraldProcess.Start("listen", new Uri(address, "/stream").ToString());
        await listen.WaitForLineAsync(line => line == "tick id=7");
        Assert.Equal(0, await listen.WaitForExitAsync());

        Assert.Equal([null, "7"], lastEventIds);
        Assert.Contains("  first", listen.Output, StringComparison.Ordinal);
        Assert.Contains("ended the stream for good (204)", listen.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listen_exits_1_when_the_url_is_not_an_event_stream()
    {
        using var data = new TempDirectory();
        await using HeraldProcess hub = HeraldProcess.Start("serve", "--dev", "--port", "0", "--data-dir", data.Path);
        string hubUrl = await hub.WaitForHubUrlAsync();

        // The hub's page is text/html, not text/event-stream.
        await using HeraldProcess listen = HeraldProcess.Start("listen", hubUrl.Replace("/.well-known/mercure", "/", StringComparison.Ordinal));
        Assert.Equal(1, await listen.WaitForExitAsync());
        Assert.Contains("herald listen:", listen.Output, StringComparison.Ordinal);
    }
}
