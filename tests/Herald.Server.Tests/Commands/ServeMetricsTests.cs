using System.Globalization;
using System.Net;
using Herald.Testing;

namespace Herald.Server.Tests.Commands;

/// <summary><c>herald serve --metrics-port</c> as a real process, scraped as Prometheus would.</summary>
public sealed class ServeMetricsTests
{
    [Fact]
    public async Task Metrics_move_with_a_publish_and_its_delivery_and_include_kestrel_and_the_runtime()
    {
        using var data = new TempDirectory();
        await using HeraldProcess herald = HeraldProcess.Start(
            "serve", "--data-dir", data.Path, "--port", "0", "--metrics-port", "0",
            "--publisher-key", TestTokens.PublisherKey, "--subscriber-key", TestTokens.SubscriberKey);
        string hubUrl = await herald.WaitForHubUrlAsync();
        string metricsUrl = await WaitForMetricsUrlAsync(herald);
        using var client = new HttpClient();

        await using SseTestClient subscriber = await SseTestClient.ConnectAsync(client, hubUrl + "?topic=books", token: TestTokens.Subscriber(["books"]));
        using var publish = new HttpRequestMessage(HttpMethod.Post, hubUrl) { Content = new FormUrlEncodedContent([new("topic", "books"), new("data", "hello")]) };
        publish.Headers.Authorization = new("Bearer", TestTokens.Publisher("books"));
        using HttpResponseMessage published = await client.SendAsync(publish);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.Equal("hello", (await subscriber.NextEventAsync()).Data);

        // The delivery is recorded when its flush returns, which may be just after the client reads it.
        string metrics = string.Empty;
        await Bounded.UntilAsync(() => (metrics = client.GetStringAsync(metricsUrl).GetAwaiter().GetResult()) is var text && Value(text, "herald_hub_updates_delivered") >= 1, "the delivery is counted");

        Assert.Equal(1, Value(metrics, "herald_hub_updates_published"));
        Assert.Equal(1, Value(metrics, "herald_hub_subscribers"));
        Assert.Equal(1, Value(metrics, "herald_hub_history_updates"));
        Assert.True(Value(metrics, "herald_hub_written_bytes") > 0);
        Assert.Equal(1, Value(metrics, "herald_hub_publish_duration_seconds_count"));
        Assert.Equal(1, Value(metrics, "herald_hub_publish_duration_seconds_bucket{le=\"10\"}"));
        Assert.Equal(1, Value(metrics, "herald_hub_delivery_duration_seconds_bucket{le=\"+Inf\"}"));
        Assert.Contains("microsoft_aspnetcore_server_kestrel_kestrel_active_connections{", metrics, StringComparison.Ordinal);
        Assert.Contains("system_runtime_dotnet_gc_heap_total_allocated ", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_are_served_on_their_own_port_only()
    {
        using var data = new TempDirectory();
        await using HeraldProcess herald = HeraldProcess.Start("serve", "--data-dir", data.Path, "--port", "0", "--metrics-port", "0", "--key", TestTokens.PublisherKey);
        var hub = new Uri(await herald.WaitForHubUrlAsync());
        var metrics = new Uri(await WaitForMetricsUrlAsync(herald));
        using var client = new HttpClient();

        // A Host header naming the metrics port does not reach them through the hub's port.
        using var forged = new HttpRequestMessage(HttpMethod.Get, new Uri(hub, "/metrics"));
        forged.Headers.Host = $"127.0.0.1:{metrics.Port}";
        using HttpResponseMessage throughHub = await client.SendAsync(forged);
        using HttpResponseMessage hubOnMetricsPort = await client.GetAsync(new Uri(metrics, "/.well-known/mercure?topic=*"));

        Assert.Equal(HttpStatusCode.NotFound, throughHub.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, hubOnMetricsPort.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(metrics)).StatusCode);
    }

    [Fact]
    public async Task Without_the_flag_there_are_no_metrics()
    {
        using var data = new TempDirectory();
        await using HeraldProcess herald = HeraldProcess.Start("serve", "--data-dir", data.Path, "--port", "0", "--key", TestTokens.PublisherKey);
        var hub = new Uri(await herald.WaitForHubUrlAsync());
        using var client = new HttpClient();

        using HttpResponseMessage response = await client.GetAsync(new Uri(hub, "/metrics"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static async Task<string> WaitForMetricsUrlAsync(HeraldProcess herald)
    {
        const string Marker = "metrics at ";
        string line = await herald.WaitForLineAsync(text => text.Contains(Marker, StringComparison.Ordinal));
        return line[(line.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..].Trim();
    }

    /// <summary>The value of the sample <paramref name="series"/> (its name, and its labels when it has any).</summary>
    private static double Value(string metrics, string series)
    {
        foreach (string line in metrics.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return double.NaN;
    }
}
