using Herald.Hub.Authorization;
using Microsoft.Extensions.Time.Testing;
using static Herald.Hub.Tests.Authorization.AuthorizationTestKit;

namespace Herald.Hub.Tests.Authorization;

public sealed class LifetimeTests
{
    private readonly FakeTimeProvider _time = new(Start);

    private static string TokenWith(string timeClaims) =>
        SignHmac("HS256", PublisherSecret, $$"""{"mercure":{"publish":["*"]},{{timeClaims}}}""");

    private static long Unix(DateTimeOffset at) => at.ToUnixTimeSeconds();

    [Fact]
    public async Task A_token_is_accepted_until_its_exp_and_refused_from_then_on()
    {
        JwtHubAuthorizer authorizer = Authorizer(time: _time);
        string token = TokenWith($"\"exp\":{Unix(Start.AddMinutes(1))}");

        HubAuthorizationResult before = await authorizer.CheckAsync(Bearer(token));
        _time.Advance(TimeSpan.FromSeconds(59));
        HubAuthorizationResult lastSecond = await authorizer.CheckAsync(Bearer(token));
        _time.Advance(TimeSpan.FromSeconds(1));
        HubAuthorizationResult atExp = await authorizer.CheckAsync(Bearer(token));

        Assert.True(before.IsAuthorized, before.Error);
        Assert.Equal(Start.AddMinutes(1), before.Claims.ExpiresAt);
        Assert.True(lastSecond.IsAuthorized, lastSecond.Error);
        Assert.Equal(HubAuthorizationStatus.Invalid, atExp.Status);
        Assert.Equal("the token has expired", atExp.Error);
    }

    [Fact]
    public async Task The_clock_skew_extends_exp()
    {
        HeraldAuthorizationOptions options = HsOptions();
        options.ClockSkew = TimeSpan.FromSeconds(30);
        JwtHubAuthorizer authorizer = Authorizer(options, _time);
        string token = TokenWith($"\"exp\":{Unix(Start)}");

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.True((await authorizer.CheckAsync(Bearer(token))).IsAuthorized);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("the token has expired", (await authorizer.CheckAsync(Bearer(token))).Error);
    }

    [Fact]
    public async Task A_token_is_refused_before_its_nbf()
    {
        JwtHubAuthorizer authorizer = Authorizer(time: _time);
        string token = TokenWith($"\"nbf\":{Unix(Start.AddMinutes(5))},\"exp\":{Unix(Start.AddMinutes(10))}");

        HubAuthorizationResult early = await authorizer.CheckAsync(Bearer(token));
        _time.Advance(TimeSpan.FromMinutes(5));
        HubAuthorizationResult onTime = await authorizer.CheckAsync(Bearer(token));

        Assert.Equal(HubAuthorizationStatus.Invalid, early.Status);
        Assert.Equal("the token is not valid yet", early.Error);
        Assert.True(onTime.IsAuthorized, onTime.Error);
    }

    [Fact]
    public async Task A_token_without_exp_is_accepted_and_has_no_expiry()
    {
        JwtHubAuthorizer authorizer = Authorizer(time: _time);
        _time.Advance(TimeSpan.FromDays(3650));

        HubAuthorizationResult result = await authorizer.CheckAsync(Bearer(PublisherToken()));

        Assert.True(result.IsAuthorized, result.Error);
        Assert.Null(result.Claims.ExpiresAt);
    }

    [Fact]
    public async Task The_signature_is_checked_before_the_expiry_so_a_forged_token_is_never_called_merely_expired()
    {
        JwtHubAuthorizer authorizer = Authorizer(time: _time);
        string forged = SignHmac("HS256", "some-other-secret-long-enough-for-hs256", $"{{\"exp\":{Unix(Start.AddMinutes(-1))}}}");

        Assert.Equal("the token's signature is invalid", (await authorizer.CheckAsync(Bearer(forged))).Error);
    }
}
