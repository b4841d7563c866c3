using System.Net;
using System.Text;
using System.Text.Json;
using Herald.Testing;
using Microsoft.Net.Http.Headers;

namespace Herald.ChatDemo.Tests;

/// <summary>The page's credential, and that the hub is closed to everyone without one.</summary>
public sealed class ReaderCookieTests
{
    [Fact]
    public async Task The_page_sets_an_HttpOnly_SameSite_Strict_cookie_for_the_streams_whose_token_only_reads_streams()
    {
        await using DemoHost host = await DemoHost.StartAsync(tokensPerSecond: 0);

        using HttpResponseMessage page = await host.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        SetCookieHeaderValue cookie = SetCookieHeaderValue.Parse(Assert.Single(page.Headers.GetValues("Set-Cookie")));
        Assert.Equal("mercureAuthorization", cookie.Name.ToString());
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteMode.Strict, cookie.SameSite);
        Assert.Equal("/.well-known/herald/streams", cookie.Path.ToString());
        Assert.InRange(cookie.Expires!.Value, DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));

        using JsonDocument claims = Claims(cookie.Value.ToString());
        JsonElement mercure = claims.RootElement.GetProperty("mercure");
        Assert.Equal(["/.well-known/herald/streams/{id}"], mercure.GetProperty("subscribe").EnumerateArray().Select(e => e.GetString()));
        Assert.False(mercure.TryGetProperty("publish", out _));
        Assert.Equal(cookie.Expires.Value.ToUnixTimeSeconds(), claims.RootElement.GetProperty("exp").GetInt64());
    }

    [Fact]
    public async Task A_stream_is_read_with_the_cookie_and_refused_without_a_token_or_with_one_signed_by_another_key()
    {
        await using DemoHost host = await DemoHost.StartAsync(tokensPerSecond: 1);
        string id = await host.StartChatAsync("who may read this?");
        string url = HeraldStreamTranscript.Url(host.BaseAddress, id);

        using HttpResponseMessage anonymous = await GetHeadersAsync(host, url, null, null);
        using HttpResponseMessage foreign = await GetHeadersAsync(host, url, TestTokens.Subscriber(["*"]), null);
        using HttpResponseMessage withCookie = await GetHeadersAsync(host, url, null, host.ReaderCookieHeader());

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withCookie.StatusCode);
        Assert.Equal("text/event-stream", withCookie.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Nobody_can_publish_or_produce_a_stream_over_http()
    {
        await using DemoHost host = await DemoHost.StartAsync(tokensPerSecond: 0);

        using HttpResponseMessage anonymous = await host.Client.PostAsync("/.well-known/mercure", Form());
        using HttpResponseMessage foreign = await PostWithTokenAsync(host, "/.well-known/mercure", Form(), TestTokens.Publisher("*"));
        using HttpResponseMessage reader = await PostWithTokenAsync(host, "/.well-known/mercure", Form(), host.ReaderToken());
        using HttpResponseMessage produce = await PostWithTokenAsync(
            host, "/.well-known/herald/streams/forged", new StringContent("data: forged\n\n", Encoding.UTF8, "text/event-stream"), host.ReaderToken());

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, reader.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, produce.StatusCode);
    }

    private static FormUrlEncodedContent Form() => new([new("topic", "https://example.com/x"), new("data", "forged")]);

    private static async Task<HttpResponseMessage> PostWithTokenAsync(DemoHost host, string path, HttpContent content, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Authorization = new("Bearer", token);
        return await host.Client.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> GetHeadersAsync(DemoHost host, string url, string? bearer, string? cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (bearer is not null)
        {
            request.Headers.Authorization = new("Bearer", bearer);
        }

        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>The JWT's claims (its middle segment), unverified: what the token says it allows.</summary>
    private static JsonDocument Claims(string jwt)
    {
        string payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        return JsonDocument.Parse(Convert.FromBase64String(payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=')));
    }
}
