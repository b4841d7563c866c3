using Herald.Hub.Authorization;
using static Herald.Hub.Tests.Authorization.AuthorizationTestKit;

namespace Herald.Hub.Tests.Authorization;

/// <summary>
/// A browser sends the cookie with requests other sites make, so a cookie may authorize a
/// state-changing request only from an allowed origin (Mercure's publish_origins).
/// </summary>
public sealed class CookieOriginTests
{
    private static JwtHubAuthorizer AuthorizerAllowing(params string[] origins)
    {
        HeraldAuthorizationOptions options = HsOptions();
        foreach (string origin in origins)
        {
            options.PublishOrigins.Add(origin);
        }

        return Authorizer(options);
    }

    [Fact]
    public async Task A_GET_needs_no_origin()
    {
        HubAuthorizationResult result = await AuthorizerAllowing().CheckAsync(Request(cookie: PublisherToken(), method: "GET"));

        Assert.True(result.IsAuthorized, result.Error);
    }

    [Fact]
    public async Task A_POST_without_Origin_or_Referer_is_refused()
    {
        HubAuthorizationResult result = await AuthorizerAllowing("*").CheckAsync(Request(cookie: PublisherToken(), method: "POST"));

        Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
        Assert.Equal(TokenSource.Cookie, result.TokenSource);
        Assert.Contains("Origin or Referer", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_POST_from_an_allowed_origin_is_accepted_and_from_another_refused()
    {
        JwtHubAuthorizer authorizer = AuthorizerAllowing("https://app.example");

        HubAuthorizationResult allowed = await authorizer.CheckAsync(Request(cookie: PublisherToken(), method: "POST", origin: "https://app.example"));
        HubAuthorizationResult other = await authorizer.CheckAsync(Request(cookie: PublisherToken(), method: "POST", origin: "https://evil.example"));

        Assert.True(allowed.IsAuthorized, allowed.Error);
        Assert.Equal(HubAuthorizationStatus.Invalid, other.Status);
        Assert.DoesNotContain("evil", other.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_configured_origins_a_cookie_POST_is_refused()
    {
        HubAuthorizationResult result = await AuthorizerAllowing().CheckAsync(
            Request(cookie: PublisherToken(), method: "POST", origin: "https://app.example"));

        Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
    }

    [Fact]
    public async Task The_Referer_stands_in_for_a_missing_Origin()
    {
        JwtHubAuthorizer authorizer = AuthorizerAllowing("https://app.example:8443");

        HubAuthorizationResult allowed = await authorizer.CheckAsync(
            Request(cookie: PublisherToken(), method: "POST", referer: "https://app.example:8443/page?x=1"));
        HubAuthorizationResult other = await authorizer.CheckAsync(
            Request(cookie: PublisherToken(), method: "POST", referer: "https://app.example/page"));

        Assert.True(allowed.IsAuthorized, allowed.Error);
        Assert.Equal(HubAuthorizationStatus.Invalid, other.Status);
    }

    [Fact]
    public async Task A_wildcard_allows_any_origin()
    {
        HubAuthorizationResult result = await AuthorizerAllowing("*").CheckAsync(
            Request(cookie: PublisherToken(), method: "POST", origin: "https://anywhere.example"));

        Assert.True(result.IsAuthorized, result.Error);
    }

    [Fact]
    public async Task The_header_needs_no_origin_on_a_POST()
    {
        HubAuthorizationResult result = await AuthorizerAllowing().CheckAsync(
            Request(authorization: $"Bearer {PublisherToken()}", method: "POST"));

        Assert.True(result.IsAuthorized, result.Error);
    }
}
