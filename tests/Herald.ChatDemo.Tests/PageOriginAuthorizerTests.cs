using System.Net;
using Herald.Testing;

namespace Herald.ChatDemo.Tests;

/// <summary>Stop with the cookie: accepted from the page's own origin (known only once the app
/// has bound its port), refused from anywhere else (CSRF).</summary>
public sealed class PageOriginAuthorizerTests
{
    [Fact]
    public async Task A_cancel_with_the_cookie_from_another_origin_or_none_is_refused_and_from_the_pages_origin_stops_the_generator()
    {
        await using DemoHost host = await DemoHost.StartAsync(tokensPerSecond: 2);
        string id = await host.StartChatAsync("stop me, but only from the page");
        ChatGeneration generation = host.Generator.FindRunning(id) ?? throw new InvalidOperationException("The generation is not running.");

        using HttpResponseMessage noOrigin = await host.CancelWithCookieAsync(id, origin: null);
        using HttpResponseMessage otherSite = await host.CancelWithCookieAsync(id, "http://attacker.example");
        Assert.Equal(HttpStatusCode.Unauthorized, noOrigin.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherSite.StatusCode);
        Assert.False(generation.Completion.IsCompleted);

        using HttpResponseMessage fromPage = await host.CancelWithCookieAsync(id, host.Origin);

        Assert.Equal(HttpStatusCode.Accepted, fromPage.StatusCode);
        GenerationResult result = await generation.Completion.WaitAsync(Bounded.DefaultWait);
        Assert.Equal(GenerationOutcome.Cancelled, result.Outcome);
        Assert.True(result.TokensWritten < generation.Tokens.Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("https://chat.example")]
    public async Task The_localhost_form_of_the_address_and_configured_origins_may_stop_too(string? configured)
    {
        await using DemoHost host = await DemoHost.StartAsync(tokensPerSecond: 2, configured is null ? [] : ["--ChatDemo:Origins:0=" + configured]);
        string id = await host.StartChatAsync("stop me from localhost");
        string origin = configured ?? $"http://localhost:{host.BaseAddress.Port}";

        using HttpResponseMessage response = await host.CancelWithCookieAsync(id, origin);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
