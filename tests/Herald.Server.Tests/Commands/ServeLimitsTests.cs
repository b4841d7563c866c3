using System.Net;
using Herald.Testing;

namespace Herald.Server.Tests.Commands;

/// <summary><c>herald serve</c>'s limit flags, and whose address the limits count: the
/// connection's, unless it comes from a proxy named by <c>--trust-proxy</c>.</summary>
public sealed class ServeLimitsTests
{
    private static async Task<HttpResponseMessage> SubscribeAsync(HttpClient client, string hubUrl, string forwardedFor, string query = "topic=a")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{hubUrl}?{query}");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_its_own_places()
    {
        await using HeraldProcess herald = HeraldProcess.Start("serve", "--in-memory", "--port", "0", "--key", TestTokens.PublisherKey, "--anonymous",
            "--max-subscribers-per-ip", "1", "--max-selectors", "2", "--trust-proxy", "127.0.0.1");
        string hubUrl = await herald.WaitForHubUrlAsync();
        using var client = new HttpClient { Timeout = Bounded.DefaultWait };

        using HttpResponseMessage first = await SubscribeAsync(client, hubUrl, "203.0.113.5");
        using HttpResponseMessage again = await SubscribeAsync(client, hubUrl, "198.51.100.9, 203.0.113.5");
        using HttpResponseMessage other = await SubscribeAsync(client, hubUrl, "203.0.113.6");
        using HttpResponseMessage tooManySelectors = await SubscribeAsync(client, hubUrl, "203.0.113.7", "topic=a&topic=b&topic=c");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
        Assert.NotNull(again.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooManySelectors.StatusCode);
    }

    [Fact]
    public async Task Without_a_trusted_proxy_X_Forwarded_For_is_ignored()
    {
        await using HeraldProcess herald = HeraldProcess.Start("serve", "--in-memory", "--port", "0", "--key", TestTokens.PublisherKey, "--anonymous",
            "--max-subscribers-per-ip", "1", "--trust-proxy", "10.0.0.0/8");
        string hubUrl = await herald.WaitForHubUrlAsync();
        using var client = new HttpClient { Timeout = Bounded.DefaultWait };

        using HttpResponseMessage first = await SubscribeAsync(client, hubUrl, "203.0.113.5");
        using HttpResponseMessage claimsToBeAnother = await SubscribeAsync(client, hubUrl, "203.0.113.6");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, claimsToBeAnother.StatusCode);
    }

    [Theory]
    [InlineData("--trust-proxy", "proxy.example", "IP address or a CIDR network")]
    [InlineData("--max-subscribers-per-ip", "-1", "MaxSubscribersPerIp")]
    [InlineData("--max-event-size", "0", "MaxEventSize")]
    public async Task Invalid_limits_are_refused_at_start(string flag, string value, string message)
    {
        await using HeraldProcess herald = HeraldProcess.Start("serve", "--in-memory", "--port", "0", "--key", TestTokens.PublisherKey, flag, value);
        Assert.Equal(2, await herald.WaitForExitAsync());
        Assert.Contains(message, herald.Output, StringComparison.Ordinal);
    }
}
