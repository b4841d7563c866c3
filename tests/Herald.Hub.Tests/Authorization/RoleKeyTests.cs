using Herald.Hub.Authorization;
using static Herald.Hub.Tests.Authorization.AuthorizationTestKit;

namespace Herald.Hub.Tests.Authorization;

public sealed class RoleKeyTests
{
    private readonly JwtHubAuthorizer _authorizer = Authorizer();

    [Fact]
    public async Task Each_role_accepts_tokens_signed_with_its_own_key()
    {
        Assert.True((await _authorizer.CheckAsync(Bearer(PublisherToken()), HubRole.Publisher)).IsAuthorized);
        Assert.True((await _authorizer.CheckAsync(Bearer(SubscriberToken()), HubRole.Subscriber)).IsAuthorized);
    }

    [Fact]
    public async Task A_publisher_token_presented_as_a_subscriber_is_invalid_when_the_keys_differ()
    {
        HubAuthorizationResult result = await _authorizer.CheckAsync(Bearer(PublisherToken()), HubRole.Subscriber);

        Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
        Assert.Equal("the token's signature is invalid", result.Error);
    }

    [Fact]
    public async Task A_subscriber_token_presented_as_a_publisher_is_invalid_when_the_keys_differ()
    {
        HubAuthorizationResult result = await _authorizer.CheckAsync(Bearer(SubscriberToken()), HubRole.Publisher);

        Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
    }

    [Fact]
    public async Task A_role_without_any_key_refuses_every_token_but_lets_anonymous_requests_through()
    {
        JwtHubAuthorizer authorizer = Authorizer(new HeraldAuthorizationOptions
        {
            Publisher = new HeraldJwtOptions { Key = PublisherSecret },
        });

        HubAuthorizationResult withToken = await authorizer.CheckAsync(Bearer(PublisherToken()), HubRole.Subscriber);
        HubAuthorizationResult withCookie = await authorizer.CheckAsync(Request(cookie: PublisherToken()), HubRole.Subscriber);
        HubAuthorizationResult anonymous = await authorizer.CheckAsync(Request(), HubRole.Subscriber);

        Assert.Equal(HubAuthorizationStatus.Invalid, withToken.Status);
        Assert.Equal("no key configured for subscribers", withToken.Error);
        Assert.Equal(TokenSource.Cookie, withCookie.TokenSource);
        Assert.Equal("no key configured for subscribers", withCookie.Error);
        Assert.Equal(HubAuthorizationStatus.Anonymous, anonymous.Status);
        Assert.True((await authorizer.CheckAsync(Bearer(PublisherToken()), HubRole.Publisher)).IsAuthorized);
    }

    [Fact]
    public async Task With_no_keys_at_all_the_publisher_role_says_so()
    {
        JwtHubAuthorizer authorizer = Authorizer(new HeraldAuthorizationOptions());

        Assert.Equal("no key configured for publishers", (await authorizer.CheckAsync(Bearer(PublisherToken()))).Error);
    }

    [Fact]
    public async Task The_same_secret_for_both_roles_lets_one_token_serve_both()
    {
        JwtHubAuthorizer authorizer = Authorizer(new HeraldAuthorizationOptions
        {
            Publisher = new HeraldJwtOptions { Key = PublisherSecret },
            Subscriber = new HeraldJwtOptions { Key = PublisherSecret },
        });

        Assert.True((await authorizer.CheckAsync(Bearer(PublisherToken()), HubRole.Subscriber)).IsAuthorized);
    }

    [Fact]
    public async Task An_unknown_role_is_an_argument_error()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => _authorizer.AuthorizeAsync(Request(), (HubRole)7, CancellationToken.None).AsTask());
    }
}
