using System.Security.Cryptography;
using Herald.Hub.Authorization;
using Microsoft.Extensions.Configuration;
using static Herald.Hub.Tests.Authorization.AuthorizationTestKit;

namespace Herald.Hub.Tests.Authorization;

/// <summary>A key the hub cannot use must stop it at start, with a message naming the option.</summary>
public sealed class KeyConfigurationTests
{
    private static ArgumentException ConstructionError(HeraldJwtOptions subscriber) =>
        Assert.Throws<ArgumentException>(() => Authorizer(new HeraldAuthorizationOptions { Subscriber = subscriber }));

    [Theory]
    [InlineData("HS256", 32)]
    [InlineData("HS384", 48)]
    [InlineData("HS512", 64)]
    public void An_HMAC_secret_one_byte_short_of_the_hash_size_fails_at_construction(string algorithm, int needed)
    {
        ArgumentException error = ConstructionError(new HeraldJwtOptions { Key = Secret(SubscriberSecret, needed - 1), Algorithm = algorithm });

        Assert.Equal("options", error.ParamName);
        Assert.Contains($"Subscriber.Key is {needed - 1} bytes long, but {algorithm} needs a secret of at least {needed} bytes", error.Message, StringComparison.Ordinal);
        _ = Authorizer(new HeraldAuthorizationOptions { Subscriber = new HeraldJwtOptions { Key = Secret(SubscriberSecret, needed), Algorithm = algorithm } });
    }

    [Fact]
    public void The_secret_is_measured_in_UTF8_bytes()
    {
        // 16 characters, 32 bytes.
        _ = Authorizer(new HeraldAuthorizationOptions { Publisher = new HeraldJwtOptions { Key = new string('é', 16) } });
        Assert.Throws<ArgumentException>(() => Authorizer(new HeraldAuthorizationOptions { Publisher = new HeraldJwtOptions { Key = new string('e', 31) } }));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS1")]
    [InlineData("EdDSA")]
    [InlineData("")]
    public void An_unsupported_algorithm_fails_at_construction(string algorithm)
    {
        ArgumentException error = ConstructionError(new HeraldJwtOptions { Key = SubscriberSecret, Algorithm = algorithm });

        Assert.Contains("Subscriber.Algorithm", error.Message, StringComparison.Ordinal);
        Assert.Contains("HS256, HS384, HS512, RS256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_configured_algorithm_name_is_case_insensitive()
    {
        _ = Authorizer(new HeraldAuthorizationOptions { Subscriber = new HeraldJwtOptions { Key = SubscriberSecret, Algorithm = "hs512" } });
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public void A_key_that_is_not_a_PEM_fails_at_construction(string algorithm)
    {
        ArgumentException error = ConstructionError(new HeraldJwtOptions { Key = "/etc/keys/public.pem", Algorithm = algorithm });

        Assert.Contains("Subscriber.Key is not a readable PEM", error.Message, StringComparison.Ordinal);
        Assert.Contains(algorithm, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_PEM_public_key_configured_as_an_HMAC_secret_fails_at_construction()
    {
        using var rsa = RSA.Create(2048);

        ArgumentException error = ConstructionError(new HeraldJwtOptions { Key = rsa.ExportSubjectPublicKeyInfoPem() });

        Assert.Contains("Subscriber.Key holds a PEM key, but Subscriber.Algorithm is HS256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_RSA_key_configured_for_ES256_and_an_EC_key_on_the_wrong_curve_fail_at_construction()
    {
        using var rsa = RSA.Create(2048);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        ArgumentException rsaForEc = ConstructionError(new HeraldJwtOptions { Key = rsa.ExportSubjectPublicKeyInfoPem(), Algorithm = "ES256" });
        ArgumentException wrongCurve = ConstructionError(new HeraldJwtOptions { Key = p384.ExportSubjectPublicKeyInfoPem(), Algorithm = "ES256" });
        ArgumentException ecForRsa = ConstructionError(new HeraldJwtOptions { Key = p384.ExportSubjectPublicKeyInfoPem(), Algorithm = "RS256" });

        Assert.Contains("not a readable PEM EC public key", rsaForEc.Message, StringComparison.Ordinal);
        Assert.Contains("ES256 needs a key on P-256", wrongCurve.Message, StringComparison.Ordinal);
        Assert.Contains("not a readable PEM RSA public key", ecForRsa.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_clock_skew_or_empty_names_fail_at_construction()
    {
        HeraldAuthorizationOptions skew = HsOptions();
        skew.ClockSkew = TimeSpan.FromSeconds(-1);
        HeraldAuthorizationOptions cookie = HsOptions();
        cookie.CookieName = "";

        Assert.Contains("ClockSkew", Assert.Throws<ArgumentException>(() => Authorizer(skew)).Message, StringComparison.Ordinal);
        Assert.Contains("CookieName", Assert.Throws<ArgumentException>(() => Authorizer(cookie)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_publisher_options_are_named_in_their_own_errors()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(
            () => Authorizer(new HeraldAuthorizationOptions { Publisher = new HeraldJwtOptions { Key = "short" } }));

        Assert.StartsWith("Publisher.Key is 5 bytes long", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_options_bind_from_configuration()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Herald:Authorization:Publisher:Key"] = PublisherSecret,
                ["Herald:Authorization:Publisher:Algorithm"] = "HS512",
                ["Herald:Authorization:Subscriber:Key"] = SubscriberSecret,
                ["Herald:Authorization:ClockSkew"] = "00:00:05",
                ["Herald:Authorization:CookieName"] = "hub",
                ["Herald:Authorization:QueryParameterName"] = "jwt",
                ["Herald:Authorization:PublishOrigins:0"] = "https://app.example",
            })
            .Build();
        var options = new HeraldAuthorizationOptions();

        configuration.GetSection("Herald:Authorization").Bind(options);

        Assert.Equal(PublisherSecret, options.Publisher.Key);
        Assert.Equal("HS512", options.Publisher.Algorithm);
        Assert.Equal("HS256", options.Subscriber.Algorithm);
        Assert.Null(options.Subscriber.JwksFile);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ClockSkew);
        Assert.Equal("hub", options.CookieName);
        Assert.Equal("jwt", options.QueryParameterName);
        Assert.Equal(["https://app.example"], options.PublishOrigins);
        Assert.True((await Authorizer(options).CheckAsync(Bearer(PublisherToken("HS512")))).IsAuthorized);
    }
}
