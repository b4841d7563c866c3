using System.Diagnostics;
using Herald.Testing;

namespace Herald.Server.Tests.Commands;

/// <summary><c>herald serve</c> as a real process, used the way the README says.</summary>
public sealed class ServeCommandTests
{
    [Fact]
    public async Task Dev_mode_prints_a_curl_publish_line_that_reaches_a_subscriber()
    {
        using var data = new TempDirectory();
        await using HeraldProcess herald = HeraldProcess.Start("serve", "--data-dir", data.Path, "--dev", "--port", "0");
        string hubUrl = await herald.WaitForHubUrlAsync();
        string curl = (await herald.WaitForLineAsync(line => line.TrimStart().StartsWith("curl -d", StringComparison.Ordinal))).Trim();

        using var client = new HttpClient();
        await using SseTestClient subscriber = await SseTestClient.ConnectAsync(client, hubUrl + "?topic=" + Uri.EscapeDataString("https://example.com/books/{id}"));
        (int exit, string printed) = await RunShellAsync(curl);

        Assert.Equal(0, exit);
        var received = await subscriber.NextEventAsync();
        Assert.Equal("{\"title\":\"Hello\"}", received.Data);
        Assert.Equal(printed, received.LastEventId);
    }

    [Fact]
    public async Task Without_a_key_or_dev_mode_serve_refuses_to_start()
    {
        using var data = new TempDirectory();
        await using HeraldProcess herald = HeraldProcess.Start("serve", "--data-dir", data.Path, "--port", "0");
        Assert.Equal(2, await herald.WaitForExitAsync());
        Assert.Contains("no publisher key", herald.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wildcard_cors_origin_outside_dev_mode_is_refused_at_start()
    {
        using var data = new TempDirectory();
        await using HeraldProcess herald = HeraldProcess.Start("serve", "--data-dir", data.Path, "--port", "0", "--key", TestTokens.PublisherKey, "--cors-origin", "*");
        Assert.Equal(2, await herald.WaitForExitAsync());
        Assert.Contains("only in development mode", herald.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_dev_mode_subscribers_need_a_token_and_the_key_signs_publishes()
    {
        using var data = new TempDirectory();
        await using HeraldProcess herald = HeraldProcess.Start("serve", "--data-dir", data.Path, "--port", "0", "--key", TestTokens.PublisherKey);
        string hubUrl = await herald.WaitForHubUrlAsync();
        using var client = new HttpClient();

        using HttpResponseMessage anonymous = await client.GetAsync(hubUrl + "?topic=*", HttpCompletionOption.ResponseHeadersRead);
        using var publish = new HttpRequestMessage(HttpMethod.Post, hubUrl) { Content = new FormUrlEncodedContent([new("topic", "t"), new("data", "d")]) };
        publish.Headers.Authorization = new("Bearer", TestTokens.Publisher("*"));
        using HttpResponseMessage published = await client.SendAsync(publish);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, published.StatusCode);
    }

    [Fact]
    public async Task Health_and_readiness_answer_without_a_token()
    {
        using var data = new TempDirectory();
        await using HeraldProcess herald = HeraldProcess.Start("serve", "--data-dir", data.Path, "--port", "0", "--key", TestTokens.PublisherKey);
        var hub = new Uri(await herald.WaitForHubUrlAsync());
        using var client = new HttpClient();

        using HttpResponseMessage alive = await client.GetAsync(new Uri(hub, "/healthz"));
        using HttpResponseMessage ready = await client.GetAsync(new Uri(hub, "/readyz"));

        Assert.Equal(System.Net.HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Redis_and_in_memory_together_are_refused_at_start()
    {
        await using HeraldProcess herald = HeraldProcess.Start("serve", "--port", "0", "--key", TestTokens.PublisherKey, "--in-memory", "--redis", "redis://127.0.0.1:1");
        Assert.Equal(2, await herald.WaitForExitAsync());
        Assert.Contains("--redis and --in-memory", herald.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_file_sets_the_hub_the_environment_overrides_it_and_flags_override_both()
    {
        using var directory = new TempDirectory();
        string file = Path.Combine(directory.Path, "herald.json");
        await File.WriteAllTextAsync(file, $$"""
            {
              "Herald": {
                "Server": { "Port": 0, "Store": "Memory" },
                "AllowAnonymous": true,
                "HeartbeatInterval": "00:00:00.200",
                "Authorization": {
                  "Publisher": { "Key": "{{TestTokens.PublisherKey}}" },
                  "Subscriber": { "Key": "{{TestTokens.SubscriberKey}}" }
                }
              }
            }
            """);
        using var client = new HttpClient();

        await using (HeraldProcess fromFile = HeraldProcess.Start("serve", "--config", file))
        {
            string hubUrl = await fromFile.WaitForHubUrlAsync();
            await using SseTestClient anonymous = await SseTestClient.ConnectAsync(client, hubUrl + "?topic=t");

            // The file's heartbeat (0.2 s rather than 15 s) reaches the subscriber: a comment.
            Assert.True((await anonymous.NextItemAsync()).IsComment);
            Assert.True((await anonymous.NextItemAsync(TimeSpan.FromSeconds(5))).IsComment);
        }

        var environment = new Dictionary<string, string> { ["HERALD__ALLOWANONYMOUS"] = "false" };
        await using (HeraldProcess overridden = HeraldProcess.Start(environment, "serve", "--config", file))
        {
            string hubUrl = await overridden.WaitForHubUrlAsync();
            using HttpResponseMessage refused = await client.GetAsync(hubUrl + "?topic=t", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await using (HeraldProcess flagged = HeraldProcess.Start(environment, "serve", "--config", file, "--anonymous"))
        {
            string hubUrl = await flagged.WaitForHubUrlAsync();
            using HttpResponseMessage accepted = await client.GetAsync(hubUrl + "?topic=t", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(System.Net.HttpStatusCode.OK, accepted.StatusCode);
        }
    }

    [Fact]
    public async Task A_missing_or_malformed_config_file_stops_the_start_with_its_name()
    {
        using var directory = new TempDirectory();
        string missing = Path.Combine(directory.Path, "missing.json");
        string malformed = Path.Combine(directory.Path, "malformed.json");
        await File.WriteAllTextAsync(malformed, "{ \"Herald\": ");

        await using HeraldProcess noFile = HeraldProcess.Start("serve", "--config", missing);
        await using HeraldProcess badFile = HeraldProcess.Start("serve", "--config", malformed);

        Assert.Equal(2, await noFile.WaitForExitAsync());
        Assert.Contains("missing.json", noFile.Output, StringComparison.Ordinal);
        Assert.Equal(2, await badFile.WaitForExitAsync());
        Assert.Contains("malformed.json", badFile.Output, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output)> RunShellAsync(string command)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using Process process = Process.Start(start)!;
        using CancellationTokenSource bound = Bounded.Wait();
        string output = await process.StandardOutput.ReadToEndAsync(bound.Token);
        await process.WaitForExitAsync(bound.Token);
        return (process.ExitCode, output);
    }
}
