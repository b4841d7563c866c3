using Herald.Hub.Authorization;
using Microsoft.AspNetCore.Http;
using static Herald.Hub.Tests.Authorization.AuthorizationTestKit;

namespace Herald.Hub.Tests.Authorization;

public sealed class TokenSelectionTests
{
    private readonly JwtHubAuthorizer _authorizer = Authorizer();

    [Fact]
    public async Task A_request_without_any_token_is_anonymous()
    {
        HubAuthorizationResult result = await _authorizer.CheckAsync(Request());

        Assert.Equal(HubAuthorizationStatus.Anonymous, result.Status);
        Assert.Equal(TokenSource.None, result.TokenSource);
        Assert.Null(result.Claims);
        Assert.Null(result.Error);
    }

    public static TheoryData<string, TokenSource> Sources => new()
    {
        { "header", TokenSource.AuthorizationHeader },
        { "query", TokenSource.QueryParameter },
        { "cookie", TokenSource.Cookie },
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task A_valid_token_is_accepted_from_each_source(string place, TokenSource expected)
    {
        string token = PublisherToken();
        HttpRequest request = place switch
        {
            "header" => Bearer(token),
            "query" => Request(query: token),
            _ => Request(cookie: token),
        };

        HubAuthorizationResult result = await _authorizer.CheckAsync(request);

        Assert.True(result.IsAuthorized, result.Error);
        Assert.Equal(expected, result.TokenSource);
        Assert.Equal(["*"], result.Claims.Publish);
    }

    [Fact]
    public async Task The_header_wins_over_query_and_cookie_even_when_it_is_invalid()
    {
        HubAuthorizationResult result = await _authorizer.CheckAsync(
            Request(authorization: "Bearer not-a-jwt", query: PublisherToken(), cookie: PublisherToken()));

        Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
        Assert.Equal(TokenSource.AuthorizationHeader, result.TokenSource);
    }

    [Fact]
    public async Task A_valid_header_is_used_and_an_invalid_query_and_cookie_are_ignored()
    {
        HubAuthorizationResult result = await _authorizer.CheckAsync(
            Request(authorization: $"Bearer {PublisherToken()}", query: "junk", cookie: "junk"));

        Assert.True(result.IsAuthorized, result.Error);
        Assert.Equal(TokenSource.AuthorizationHeader, result.TokenSource);
    }

    [Fact]
    public async Task The_query_parameter_wins_over_the_cookie_even_when_it_is_invalid()
    {
        HubAuthorizationResult invalid = await _authorizer.CheckAsync(Request(query: "not-a-jwt", cookie: PublisherToken()));
        HubAuthorizationResult valid = await _authorizer.CheckAsync(Request(query: PublisherToken(), cookie: "junk"));

        Assert.Equal(HubAuthorizationStatus.Invalid, invalid.Status);
        Assert.Equal(TokenSource.QueryParameter, invalid.TokenSource);
        Assert.True(valid.IsAuthorized, valid.Error);
        Assert.Equal(TokenSource.QueryParameter, valid.TokenSource);
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("")]
    [InlineData("Token abc")]
    public async Task An_Authorization_header_that_is_not_a_bearer_token_is_invalid_and_the_cookie_is_not_tried(string header)
    {
        HubAuthorizationResult result = await _authorizer.CheckAsync(Request(authorization: header, cookie: PublisherToken()));

        Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
        Assert.Equal(TokenSource.AuthorizationHeader, result.TokenSource);
        Assert.Equal("the Authorization header must be 'Bearer <token>'", result.Error);
    }

    [Fact]
    public async Task The_bearer_scheme_is_case_insensitive()
    {
        HubAuthorizationResult result = await _authorizer.CheckAsync(Request(authorization: $"bearer {PublisherToken()}"));

        Assert.True(result.IsAuthorized, result.Error);
    }

    [Fact]
    public async Task Two_Authorization_headers_are_invalid()
    {
        HttpRequest request = Request();
        request.Headers.Authorization = new(["Bearer " + PublisherToken(), "Bearer " + PublisherToken()]);

        HubAuthorizationResult result = await _authorizer.CheckAsync(request);

        Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
        Assert.Equal("the request has more than one Authorization header", result.Error);
    }

    [Fact]
    public async Task Two_query_parameters_or_an_empty_one_are_invalid()
    {
        HttpRequest twice = Request();
        twice.QueryString = new QueryString($"?authorization={PublisherToken()}&authorization={PublisherToken()}");
        HttpRequest empty = Request();
        empty.QueryString = new QueryString("?authorization=");

        HubAuthorizationResult twiceResult = await _authorizer.CheckAsync(twice);
        HubAuthorizationResult emptyResult = await _authorizer.CheckAsync(empty);

        Assert.Equal(HubAuthorizationStatus.Invalid, twiceResult.Status);
        Assert.Equal(TokenSource.QueryParameter, twiceResult.TokenSource);
        Assert.Equal(HubAuthorizationStatus.Invalid, emptyResult.Status);
        Assert.Equal(TokenSource.QueryParameter, emptyResult.TokenSource);
    }

    [Fact]
    public async Task Configured_cookie_and_query_names_are_used_and_the_default_names_ignored()
    {
        HeraldAuthorizationOptions options = HsOptions();
        options.CookieName = "hubToken";
        options.QueryParameterName = "jwt";
        JwtHubAuthorizer authorizer = Authorizer(options);

        HttpRequest byCookie = Request();
        byCookie.Headers.Cookie = $"hubToken={PublisherToken()}";
        HttpRequest byQuery = Request();
        byQuery.QueryString = QueryString.Create("jwt", PublisherToken());

        Assert.Equal(TokenSource.Cookie, (await authorizer.CheckAsync(byCookie)).TokenSource);
        Assert.Equal(TokenSource.QueryParameter, (await authorizer.CheckAsync(byQuery)).TokenSource);
        Assert.Equal(HubAuthorizationStatus.Anonymous, (await authorizer.CheckAsync(Request(query: PublisherToken(), cookie: PublisherToken()))).Status);
    }

    [Fact]
    public async Task Error_messages_never_contain_the_token()
    {
        string tampered = PublisherToken()[..^4] + "AAAA";
        string[] tokens = [tampered, "eyJhbGciOiJIUzI1NiJ9.e30", "x.y.z", Unsigned(PublishAll)];

        foreach (string token in tokens)
        {
            HubAuthorizationResult result = await _authorizer.CheckAsync(Bearer(token));

            Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
            Assert.False(string.IsNullOrEmpty(result.Error));
            Assert.DoesNotContain(token, result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(token.Split('.')[0], result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_cancelled_request_throws()
    {
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _authorizer.AuthorizeAsync(Bearer(PublisherToken()), HubRole.Publisher, new CancellationToken(canceled: true)).AsTask());
    }
}
