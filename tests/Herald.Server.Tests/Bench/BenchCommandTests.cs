using System.Text.Json;
using Herald.Server.Bench;
using Herald.Server.Commands;
using Herald.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Herald.Server.Tests.Bench;

/// <summary>
/// <c>herald bench</c> as a process, with its worker processes, against a real
/// <c>herald serve</c> over HTTP/1.1 and h2c, and against a deliberately faulty server it must
/// catch.
/// </summary>
public sealed class BenchCommandTests
{
    private const string Secret = "bench-test-secret-0123456789-abcdefghijklmnop";
    private static readonly TimeSpan RunBound = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("1.1")]
    [InlineData("2")]
    public async Task A_run_against_herald_serve_delivers_every_event_once_in_order_and_reports_it(string http)
    {
        using var directory = new TempDirectory();
        await using HeraldProcess serve = HeraldProcess.Start("serve", "--port", "0", "--h2c-port", "0", "--key", Secret, "--anonymous", "--in-memory");
        string hubUrl = await serve.WaitForHubUrlAsync();
        string h2cLine = await serve.WaitForLineAsync(line => line.Contains("h2c", StringComparison.Ordinal));
        string subscribeBase = http == "2" ? h2cLine[(h2cLine.LastIndexOf(" on ", StringComparison.Ordinal) + 4)..] : hubUrl;
        string json = Path.Combine(directory.Path, "result.json");

        await using HeraldProcess bench = HeraldProcess.Start(
            "bench", "--subscribe-url", subscribeBase + "?topic={topic}", "--publish-url", hubUrl,
            "--token", TokenSigning.Create(Secret, "HS256", ["*"], null, null),
            "--http", http, "--subscribers", "60", "--topics", "3", "--events", "40", "--rate", "200", "--idle", "0", "--label", "herald", "--json", json);

        Assert.Equal(0, await bench.WaitForExitAsync(RunBound));
        BenchResult result = Read(json);
        Assert.Equal((60, 0, 120L), (result.Connected, result.ConnectFailed, result.Published));
        Assert.Equal((2_400L, 2_400L, 0L, 0L, 0L, 0L), (result.Expected, result.Delivered, result.Lost, result.Duplicates, result.Reordered, result.Unexpected));
        Assert.True(result.Completed);
        Assert.InRange(result.Latency.P50, 0.001, result.Latency.Max);
        Assert.Contains("clean: every event to every subscriber once, in order", bench.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_subscribe_urls_spread_the_subscribers_over_a_redis_cluster_published_to_through_one_node_and_each_server_is_measured()
    {
        using var directory = new TempDirectory();
        await using RedisServer redis = await RedisServer.StartAsync();
        await using HeraldProcess first = HeraldProcess.Start("serve", "--port", "0", "--key", Secret, "--anonymous", "--redis", redis.Url);
        await using HeraldProcess second = HeraldProcess.Start("serve", "--port", "0", "--key", Secret, "--anonymous", "--redis", redis.Url);
        string firstUrl = await first.WaitForHubUrlAsync();
        string secondUrl = await second.WaitForHubUrlAsync();
        string json = Path.Combine(directory.Path, "result.json");

        // Three topics over two nodes: every topic has subscribers on both.
        await using HeraldProcess bench = HeraldProcess.Start(
            "bench", "--subscribe-url", firstUrl + "?topic={topic}", "--subscribe-url", secondUrl + "?topic={topic}", "--publish-url", firstUrl,
            "--token", TokenSigning.Create(Secret, "HS256", ["*"], null, null), "--server-pid", first.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--server-pid", second.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--subscribers", "60", "--topics", "3", "--events", "40", "--rate", "200", "--idle", "0", "--json", json);

        Assert.True(await bench.WaitForExitAsync(RunBound) == 0, bench.Output);
        BenchResult result = Read(json);
        Assert.Equal((60, 0, 120L), (result.Connected, result.ConnectFailed, result.Published));
        Assert.Equal((2_400L, 2_400L, 0L, 0L, 0L, 0L), (result.Expected, result.Delivered, result.Lost, result.Duplicates, result.Reordered, result.Unexpected));
        Assert.True(result.Completed);
        ServerFigures server = result.Server!;
        Assert.Equal([first.Id, second.Id], server.Processes!.Select(p => p.Pid!.Value));
        Assert.All(server.Processes!, p => Assert.True(p.CpuSeconds > 0 && p.MemoryIdleBytes > 0, $"pid {p.Pid}: {p}"));
        Assert.Contains($"pid {second.Id}", bench.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streaming_publish_runs_against_herald_serve_are_clean_read_at_the_stream_or_through_the_hub_and_each_uses_new_streams()
    {
        using var directory = new TempDirectory();
        await using HeraldProcess serve = HeraldProcess.Start("serve", "--port", "0", "--key", Secret, "--anonymous", "--in-memory");
        string hubUrl = await serve.WaitForHubUrlAsync();
        string streams = new Uri(new Uri(hubUrl), BenchSettings.StreamTopicPrefix + "{stream}").ToString();
        string token = TokenSigning.Create(Secret, "HS256", ["*"], null, null);

        // Twice on one server: stream ids are single use, so a run that reused them would be refused.
        foreach ((string label, string subscribeUrl) in new[] { ("stream", streams), ("hub", hubUrl + "?topic={topic}") })
        {
            string json = Path.Combine(directory.Path, label + ".json");
            await using HeraldProcess bench = HeraldProcess.Start(
                "bench", "--subscribe-url", subscribeUrl, "--publish-url", streams, "--publish-format", "stream", "--token", token,
                "--subscribers", "30", "--topics", "10", "--events", "60", "--rate", "100", "--payload", "20", "--idle", "0", "--label", label, "--json", json);

            Assert.True(await bench.WaitForExitAsync(RunBound) == 0, bench.Output);
            BenchResult result = Read(json);
            Assert.Equal(("stream", 30, 0, 600L), (result.PublishFormat, result.Connected, result.ConnectFailed, result.Published));
            Assert.Equal((1_800L, 1_800L, 0L, 0L, 0L, 0L, 0), (result.Expected, result.Delivered, result.Lost, result.Duplicates, result.Reordered, result.Unexpected, result.EndedEarly));
            Assert.Empty(result.PublishFailures);
            Assert.True(result.Completed);
        }
    }

    [Fact]
    public async Task Loss_duplicates_and_reordering_by_the_server_are_counted_and_fail_the_run()
    {
        await using WebApplication app = FaultyServer();
        Uri server = await LoopbackApp.StartAsync(app);
        using var directory = new TempDirectory();
        string json = Path.Combine(directory.Path, "result.json");

        await using HeraldProcess bench = HeraldProcess.Start(
            "bench", "--subscribe-url", new Uri(server, "sub?topic={topic}").ToString(), "--publish-url", new Uri(server, "pub?topic={topic}").ToString(),
            "--publish-format", "raw", "--subscribers", "10", "--events", "10", "--rate", "200", "--idle", "0", "--drain", "2", "--json", json);

        Assert.Equal(BenchCommand.NotClean, await bench.WaitForExitAsync(RunBound));
        BenchResult result = Read(json);
        Assert.Equal(10, result.Connected);
        Assert.Equal((10L, 10L, 10L), (result.Lost, result.Duplicates, result.Reordered));
        Assert.False(result.Completed);
        Assert.Contains("NOT CLEAN", bench.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_subscribers_are_reported_as_failed_connections()
    {
        await using WebApplication app = LoopbackApp.CreateBuilder().Build();
        app.MapGet("/sub", () => Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        app.MapPost("/pub", () => Results.Ok());
        Uri server = await LoopbackApp.StartAsync(app);
        using var directory = new TempDirectory();
        string json = Path.Combine(directory.Path, "result.json");

        await using HeraldProcess bench = HeraldProcess.Start(
            "bench", "--subscribe-url", new Uri(server, "sub?topic={topic}").ToString(), "--publish-url", new Uri(server, "pub").ToString(),
            "--publish-format", "raw", "--subscribers", "8", "--events", "2", "--idle", "0", "--drain", "1", "--json", json);

        Assert.Equal(BenchCommand.NotClean, await bench.WaitForExitAsync(RunBound));
        BenchResult result = Read(json);
        Assert.Equal((0, 8), (result.Connected, result.ConnectFailed));
        Assert.Equal(8, result.ConnectErrors["HTTP 503"]);
    }

    [Theory]
    [InlineData("--subscribers", "0", "must be positive")]
    [InlineData("--topics", "5000", "may not exceed --subscribers")]
    [InlineData("--publish-url", "ftp://example.com/", "absolute http URL")]
    [InlineData("--publish-format", "stream", "needs {stream} in --publish-url")]
    [InlineData("--http", "2", "several --subscribe-url need --http 1.1", "http://127.0.0.1:10/sub?topic={topic}")]
    [InlineData("--subscribers", "10", "--subscribe-url must be an absolute http URL", "ftp://127.0.0.1:10/sub")]
    public async Task Invalid_settings_exit_2_with_the_reason(string option, string value, string reason, string? secondSubscribeUrl = null)
    {
        var arguments = new Dictionary<string, string>
        {
            ["--subscribe-url"] = "http://127.0.0.1:9/sub?topic={topic}",
            ["--publish-url"] = "http://127.0.0.1:9/pub",
            [option] = value,
        };
        string[] second = secondSubscribeUrl is null ? [] : ["--subscribe-url", secondSubscribeUrl];

        await using HeraldProcess bench = HeraldProcess.Start(["bench", .. arguments.SelectMany(pair => new[] { pair.Key, pair.Value }), .. second]);

        Assert.Equal(BenchCommand.Failed, await bench.WaitForExitAsync(RunBound));
        Assert.Contains(reason, bench.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_turns_saved_results_into_one_markdown_table()
    {
        using var directory = new TempDirectory();
        string first = Path.Combine(directory.Path, "a.json");
        string second = Path.Combine(directory.Path, "b.json");
        await File.WriteAllTextAsync(first, JsonSerializer.Serialize(Result("A herald"), BenchJsonContext.Default.BenchResult));
        await File.WriteAllTextAsync(second, JsonSerializer.Serialize(Result("A nchan"), BenchJsonContext.Default.BenchResult));

        await using HeraldProcess report = HeraldProcess.Start("bench", "report", first, second);

        Assert.Equal(0, await report.WaitForExitAsync(RunBound));
        string[] lines = report.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("| A herald | 1.1 | 10 / 10 |", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("| A nchan |", lines[3], StringComparison.Ordinal);

        static BenchResult Result(string label) => new()
        {
            Label = label,
            Http = "1.1",
            Subscribers = 10,
            Connected = 10,
            Latency = new LatencySummary(1, 2, 3, 4, 5),
            PublishRoundTrip = new LatencySummary(1, 1, 1, 1, 1),
        };
    }

    private static BenchResult Read(string path) =>
        JsonSerializer.Deserialize(File.ReadAllText(path), BenchJsonContext.Default.BenchResult)!;

    /// <summary>
    /// A broadcast server that drops event 3, sends event 5 twice and sends 7 after 8, to every
    /// subscriber: what a load generator exists to catch.
    /// </summary>
    private static WebApplication FaultyServer()
    {
        WebApplication app = LoopbackApp.CreateBuilder().Build();
        var subscribers = new List<(HttpResponse Response, SemaphoreSlim Gate)>();
        string? held = null;
        app.MapGet("/sub", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.Body.FlushAsync(context.RequestAborted);
            var gate = new SemaphoreSlim(1);
            lock (subscribers)
            {
                subscribers.Add((context.Response, gate));
            }

            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        app.MapPost("/pub", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            string data = await reader.ReadToEndAsync(context.RequestAborted);
            string sequence = data.Split(' ')[0];
            List<string> send = sequence switch
            {
                "3" => [],
                "5" => [data, data],
                "7" => [],
                "8" => [data, held!],
                _ => [data],
            };
            if (sequence == "7")
            {
                held = data;
            }

            (HttpResponse Response, SemaphoreSlim Gate)[] targets;
            lock (subscribers)
            {
                targets = [.. subscribers];
            }

            foreach ((HttpResponse response, SemaphoreSlim gate) in targets)
            {
                await gate.WaitAsync();
                try
                {
                    foreach (string item in send)
                    {
                        await response.WriteAsync($"data: {item}\n\n");
                    }

                    await response.Body.FlushAsync();
                }
                finally
                {
                    gate.Release();
                }
            }

            return Results.Ok();
        });
        return app;
    }
}
