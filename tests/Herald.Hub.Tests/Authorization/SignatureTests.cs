using System.Security.Cryptography;
using System.Text;
using Herald.Hub.Authorization;
using Microsoft.IdentityModel.Tokens;
using static Herald.Hub.Tests.Authorization.AuthorizationTestKit;

namespace Herald.Hub.Tests.Authorization;

public sealed class SignatureTests
{
    private static HeraldAuthorizationOptions PublisherKey(string key, string algorithm) => new()
    {
        Publisher = new HeraldJwtOptions { Key = key, Algorithm = algorithm },
    };

    [Theory]
    [InlineData("HS256", 32)]
    [InlineData("HS384", 48)]
    [InlineData("HS512", 64)]
    public async Task An_HMAC_token_signed_with_the_configured_secret_is_accepted(string algorithm, int secretBytes)
    {
        string secret = Secret(PublisherSecret, secretBytes);
        JwtHubAuthorizer authorizer = Authorizer(PublisherKey(secret, algorithm));

        HubAuthorizationResult result = await authorizer.CheckAsync(Bearer(SignHmac(algorithm, secret, PublishAll)));

        Assert.True(result.IsAuthorized, result.Error);
        Assert.Equal(["*"], result.Claims.Publish);
    }

    [Theory]
    [InlineData("RS256", false)]
    [InlineData("RS384", false)]
    [InlineData("RS512", false)]
    [InlineData("PS256", false)]
    [InlineData("RS256", true)]
    public async Task An_RSA_token_is_verified_with_a_PEM_public_key(string algorithm, bool pkcs1)
    {
        using var rsa = RSA.Create(2048);
        string publicPem = pkcs1 ? rsa.ExportRSAPublicKeyPem() : rsa.ExportSubjectPublicKeyInfoPem();
        Assert.Contains(pkcs1 ? "BEGIN RSA PUBLIC KEY" : "BEGIN PUBLIC KEY", publicPem, StringComparison.Ordinal);
        JwtHubAuthorizer authorizer = Authorizer(PublisherKey(publicPem, algorithm));

        HubAuthorizationResult result = await authorizer.CheckAsync(Bearer(Sign(new RsaSecurityKey(rsa), algorithm, PublishAll)));

        Assert.True(result.IsAuthorized, result.Error);
    }

    [Theory]
    [InlineData("ES256", "nistP256")]
    [InlineData("ES384", "nistP384")]
    [InlineData("ES512", "nistP521")]
    public async Task An_ECDSA_token_is_verified_with_a_PEM_public_key(string algorithm, string curve)
    {
        using var ecdsa = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        JwtHubAuthorizer authorizer = Authorizer(PublisherKey(ecdsa.ExportSubjectPublicKeyInfoPem(), algorithm));

        HubAuthorizationResult result = await authorizer.CheckAsync(Bearer(Sign(new ECDsaSecurityKey(ecdsa), algorithm, PublishAll)));

        Assert.True(result.IsAuthorized, result.Error);
    }

    [Fact]
    public async Task A_token_signed_with_another_secret_is_invalid()
    {
        string token = SignHmac("HS256", "another-secret-also-long-enough-for-hs256", PublishAll);

        HubAuthorizationResult result = await Authorizer().CheckAsync(Bearer(token));

        Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
        Assert.Equal("the token's signature is invalid", result.Error);
    }

    [Fact]
    public async Task A_token_signed_with_another_RSA_key_is_invalid()
    {
        using var trusted = RSA.Create(2048);
        using var other = RSA.Create(2048);
        JwtHubAuthorizer authorizer = Authorizer(PublisherKey(trusted.ExportSubjectPublicKeyInfoPem(), "RS256"));

        HubAuthorizationResult result = await authorizer.CheckAsync(Bearer(Sign(new RsaSecurityKey(other), "RS256", PublishAll)));

        Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
    }

    [Fact]
    public async Task A_token_whose_payload_was_changed_after_signing_is_invalid()
    {
        string[] parts = PublisherToken().Split('.');
        string forged = $"{parts[0]}.{Part("""{"mercure":{"publish":["*"],"subscribe":["*"]}}""")}.{parts[2]}";

        HubAuthorizationResult result = await Authorizer().CheckAsync(Bearer(forged));

        Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_unsigned_alg_none_token_is_invalid(bool withJunkSignature)
    {
        string token = Unsigned(PublishAll) + (withJunkSignature ? "c2lnbmF0dXJl" : "");

        HubAuthorizationResult result = await Authorizer().CheckAsync(Bearer(token));

        Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
        Assert.Equal("the token is not signed", result.Error);
    }

    [Fact]
    public async Task Algorithm_confusion_an_HS256_token_keyed_with_the_RSA_public_key_PEM_is_refused()
    {
        using var rsa = RSA.Create(2048);
        string publicPem = rsa.ExportSubjectPublicKeyInfoPem();
        JwtHubAuthorizer authorizer = Authorizer(PublisherKey(publicPem, "RS256"));

        // The attacker knows the public key and uses its PEM text as an HMAC secret, hoping the hub
        // lets the token's own "alg" pick how the configured key is used.
        string forged = SignHmac("HS256", Encoding.UTF8.GetBytes(publicPem), PublishAll);
        HubAuthorizationResult result = await authorizer.CheckAsync(Bearer(forged));

        Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
        Assert.Equal("the token's signing algorithm is not accepted", result.Error);

        // The same attack with the DER bytes of the key, and the honest token for contrast.
        string forgedDer = SignHmac("HS256", rsa.ExportSubjectPublicKeyInfo(), PublishAll);
        Assert.Equal(HubAuthorizationStatus.Invalid, (await authorizer.CheckAsync(Bearer(forgedDer))).Status);
        Assert.True((await authorizer.CheckAsync(Bearer(Sign(new RsaSecurityKey(rsa), "RS256", PublishAll)))).IsAuthorized);
    }

    [Fact]
    public async Task A_token_using_another_HMAC_algorithm_than_configured_is_refused_even_with_the_right_secret()
    {
        JwtHubAuthorizer authorizer = Authorizer(HsOptions("HS512"));

        HubAuthorizationResult result = await authorizer.CheckAsync(Bearer(SignHmac("HS256", PublisherSecret, PublishAll)));

        Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
        Assert.Equal("the token's signing algorithm is not accepted", result.Error);
    }

    [Fact]
    public async Task An_RS256_token_is_refused_when_PS256_is_configured_for_the_same_key()
    {
        using var rsa = RSA.Create(2048);
        JwtHubAuthorizer authorizer = Authorizer(PublisherKey(rsa.ExportSubjectPublicKeyInfoPem(), "PS256"));

        HubAuthorizationResult result = await authorizer.CheckAsync(Bearer(Sign(new RsaSecurityKey(rsa), "RS256", PublishAll)));

        Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b")]
    [InlineData("a.b.c")]
    [InlineData("!!!.???.***")]
    public async Task A_token_that_is_not_a_JWS_is_invalid(string token)
    {
        HubAuthorizationResult result = await Authorizer().CheckAsync(Bearer(token));

        Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
        Assert.Equal("the token is not a well-formed JWS", result.Error);
    }
}
