using System.Net;
using System.Text.Json;
using Herald.Testing;

namespace Herald.Server.Tests.Commands;

/// <summary><c>herald serve</c>'s log as a real process writes it: structured, free of tokens, bounded in a storm.</summary>
public sealed class ServeLoggingTests
{
    [Fact]
    public async Task At_trace_level_in_json_no_line_holds_a_token_from_the_query_a_cookie_or_a_header()
    {
        using var data = new TempDirectory();
        await using HeraldProcess herald = HeraldProcess.Start(
            "serve", "--data-dir", data.Path, "--port", "0", "--log-level", "trace", "--log-format", "json",
            "--publisher-key", TestTokens.PublisherKey, "--subscriber-key", TestTokens.SubscriberKey);
        string hubUrl = await herald.WaitForHubUrlAsync();
        string queryToken = TestTokens.Subscriber(["books"]);
        string cookieToken = TestTokens.Subscriber(["books", "other"]);
        string invalidToken = TestTokens.Publisher("forged-for-the-wrong-key");
        string publisherToken = TestTokens.Publisher("books");
        using var handler = new HttpClientHandler { UseCookies = false };
        using var client = new HttpClient(handler);

        using var subscribe = new HttpRequestMessage(HttpMethod.Get, $"{hubUrl}?topic=books&authorization={queryToken}");
        subscribe.Headers.Add("Cookie", $"mercureAuthorization={cookieToken}");
        SseTestClient subscriber = SseTestClient.Read(await client.SendAsync(subscribe, HttpCompletionOption.ResponseHeadersRead));
        using HttpResponseMessage refused = await client.GetAsync($"{hubUrl}?topic=books&authorization={invalidToken}");
        using var publish = new HttpRequestMessage(HttpMethod.Post, hubUrl) { Content = new FormUrlEncodedContent([new("topic", "books"), new("data", "hello")]) };
        publish.Headers.Authorization = new("Bearer", publisherToken);
        using HttpResponseMessage published = await client.SendAsync(publish);
        Assert.Equal("hello", (await subscriber.NextEventAsync()).Data);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        await subscriber.DisposeAsync();

        // The hub logged the subscription (so the level really is that low) in structured JSON.
        string left = await herald.WaitForLineAsync(line => line.Contains("\"EventId\":31", StringComparison.Ordinal));
        Assert.Contains("Refused a subscriber: invalid token", herald.Output, StringComparison.Ordinal);
        using (JsonDocument entry = JsonDocument.Parse(left))
        {
            Assert.Equal("Debug", entry.RootElement.GetProperty("LogLevel").GetString());
            Assert.StartsWith("urn:uuid:", entry.RootElement.GetProperty("State").GetProperty("SubscriberId").GetString(), StringComparison.Ordinal);
        }

        string output = herald.Output;
        foreach (string token in new[] { queryToken, cookieToken, invalidToken, publisherToken })
        {
            // Any of its three parts would do: the signature alone is the secret part.
            foreach (string part in token.Split('.'))
            {
                Assert.DoesNotContain(part, output, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_reconnect_storm_is_logged_in_a_few_lines_and_counted_in_full()
    {
        const int Connections = 300;
        using var data = new TempDirectory();
        await using HeraldProcess herald = HeraldProcess.Start("serve", "--data-dir", data.Path, "--port", "0", "--log-level", "debug", "--anonymous", "--key", TestTokens.PublisherKey);
        string hubUrl = await herald.WaitForHubUrlAsync();
        using var client = new HttpClient();

        for (int wave = 0; wave < Connections / 50; wave++)
        {
            SseTestClient[] subscribers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => SseTestClient.ConnectAsync(client, hubUrl + "?topic=storm")));
            foreach (SseTestClient subscriber in subscribers)
            {
                await subscriber.DisposeAsync();
            }
        }

        // Every connection is accounted for, one by one or in a count, once the last window is reported.
        await Bounded.UntilAsync(() => Accounted(herald.Output, "connected over", "connected in the last") == Connections, $"all {Connections} connections are logged or counted", TimeSpan.FromSeconds(30));
        await Bounded.UntilAsync(() => Accounted(herald.Output, "left (", "left in the last") == Connections, $"all {Connections} departures are logged or counted", TimeSpan.FromSeconds(30));

        string[] lines = herald.Output.Split('\n');
        int oneByOne = lines.Count(line => line.Contains("connected over", StringComparison.Ordinal));
        Assert.InRange(oneByOne, 1, Connections / 3);
        Assert.Contains(lines, line => line.Contains("connected in the last", StringComparison.Ordinal));
    }

    /// <summary>Lines logged one by one plus the counts of the summaries.</summary>
    private static int Accounted(string output, string single, string summary)
    {
        int total = 0;
        string[] lines = output.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Contains(single, StringComparison.Ordinal))
            {
                total++;
            }
            else if (lines[i].Contains(summary, StringComparison.Ordinal))
            {
                // "{Count} more subscribers {What} in the last ..."
                total += int.Parse(lines[i].TrimStart().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return total;
    }
}
