using System.Security.Cryptography;
using System.Text;
using Herald.Hub.Authorization;
using Microsoft.IdentityModel.Tokens;
using static Herald.Hub.Tests.Authorization.AuthorizationTestKit;

namespace Herald.Hub.Tests.Authorization;

public sealed class JwksFileTests
{
    private static JwtHubAuthorizer SubscriberJwks(string path, string? key = null) => Authorizer(new HeraldAuthorizationOptions
    {
        Subscriber = new HeraldJwtOptions { JwksFile = path, Key = key },
    });

    [Fact]
    public async Task Each_key_of_the_set_verifies_tokens_of_its_own_type()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        byte[] secret = Encoding.UTF8.GetBytes(Secret(SubscriberSecret, 32));
        using var jwks = new TempJwksFile(
            TempJwksFile.Rsa(rsa, kid: "rsa-1"), TempJwksFile.Ec(ec, "P-256", kid: "ec-1"), TempJwksFile.Oct(secret, kid: "oct-1"));
        JwtHubAuthorizer authorizer = SubscriberJwks(jwks.Path);

        string[] tokens =
        [
            Sign(new RsaSecurityKey(rsa) { KeyId = "rsa-1" }, "RS256", SubscribeAll),
            Sign(new RsaSecurityKey(rsa), "PS384", SubscribeAll),
            Sign(new ECDsaSecurityKey(ec) { KeyId = "ec-1" }, "ES256", SubscribeAll),
            SignHmac("HS256", secret, SubscribeAll, kid: "oct-1"),
            SignHmac("HS256", secret, SubscribeAll),
        ];
        foreach (string token in tokens)
        {
            HubAuthorizationResult result = await authorizer.CheckAsync(Bearer(token), HubRole.Subscriber);
            Assert.True(result.IsAuthorized, result.Error);
        }
    }

    [Fact]
    public async Task A_key_with_an_alg_member_is_used_only_with_that_algorithm_even_when_another_key_allows_it()
    {
        byte[] first = Encoding.UTF8.GetBytes(Secret(SubscriberSecret, 64));
        byte[] second = Encoding.UTF8.GetBytes(Secret(PublisherSecret, 64));
        using var jwks = new TempJwksFile(TempJwksFile.Oct(first, alg: "HS256"), TempJwksFile.Oct(second, alg: "HS512"));
        JwtHubAuthorizer authorizer = SubscriberJwks(jwks.Path);

        HubAuthorizationResult pinned = await authorizer.CheckAsync(Bearer(SignHmac("HS256", first, SubscribeAll)), HubRole.Subscriber);
        // HS512 is accepted by the set, but not with the first key.
        HubAuthorizationResult crossed = await authorizer.CheckAsync(Bearer(SignHmac("HS512", first, SubscribeAll)), HubRole.Subscriber);
        HubAuthorizationResult second512 = await authorizer.CheckAsync(Bearer(SignHmac("HS512", second, SubscribeAll)), HubRole.Subscriber);

        Assert.True(pinned.IsAuthorized, pinned.Error);
        Assert.Equal(HubAuthorizationStatus.Invalid, crossed.Status);
        Assert.True(second512.IsAuthorized, second512.Error);
    }

    [Fact]
    public async Task An_oct_key_without_alg_is_used_only_with_the_HMAC_algorithms_its_length_allows()
    {
        byte[] secret = Encoding.UTF8.GetBytes(Secret(SubscriberSecret, 48));
        using var jwks = new TempJwksFile(TempJwksFile.Oct(secret));
        JwtHubAuthorizer authorizer = SubscriberJwks(jwks.Path);

        Assert.True((await authorizer.CheckAsync(Bearer(SignHmac("HS384", secret, SubscribeAll)), HubRole.Subscriber)).IsAuthorized);
        HubAuthorizationResult tooWeak = await authorizer.CheckAsync(Bearer(SignHmac("HS512", secret, SubscribeAll)), HubRole.Subscriber);
        Assert.Equal("the token's signing algorithm is not accepted", tooWeak.Error);
    }

    [Fact]
    public async Task Algorithm_confusion_an_HS256_token_keyed_with_the_RSA_key_of_the_set_is_refused()
    {
        using var rsa = RSA.Create(2048);
        using var jwks = new TempJwksFile(TempJwksFile.Rsa(rsa));
        JwtHubAuthorizer authorizer = SubscriberJwks(jwks.Path);

        string[] forgeries =
        [
            SignHmac("HS256", Encoding.UTF8.GetBytes(rsa.ExportSubjectPublicKeyInfoPem()), SubscribeAll),
            SignHmac("HS256", rsa.ExportParameters(false).Modulus!, SubscribeAll),
            SignHmac("HS256", Encoding.UTF8.GetBytes(File.ReadAllText(jwks.Path)), SubscribeAll),
        ];
        foreach (string forged in forgeries)
        {
            HubAuthorizationResult result = await authorizer.CheckAsync(Bearer(forged), HubRole.Subscriber);
            Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
        }
    }

    [Fact]
    public async Task An_EC_key_is_not_used_with_the_algorithm_of_another_curve()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var jwks = new TempJwksFile(TempJwksFile.Ec(ec, "P-384"));
        JwtHubAuthorizer authorizer = SubscriberJwks(jwks.Path);

        Assert.True((await authorizer.CheckAsync(Bearer(Sign(new ECDsaSecurityKey(ec), "ES384", SubscribeAll)), HubRole.Subscriber)).IsAuthorized);
        Assert.Equal(HubAuthorizationStatus.Invalid,
            (await authorizer.CheckAsync(Bearer(Sign(new ECDsaSecurityKey(ec), "ES256", SubscribeAll)), HubRole.Subscriber)).Status);
    }

    [Fact]
    public async Task The_option_key_and_the_set_are_both_accepted()
    {
        using var rsa = RSA.Create(2048);
        using var jwks = new TempJwksFile(TempJwksFile.Rsa(rsa));
        JwtHubAuthorizer authorizer = SubscriberJwks(jwks.Path, key: SubscriberSecret);

        Assert.True((await authorizer.CheckAsync(Bearer(SubscriberToken()), HubRole.Subscriber)).IsAuthorized);
        Assert.True((await authorizer.CheckAsync(Bearer(Sign(new RsaSecurityKey(rsa), "RS256", SubscribeAll)), HubRole.Subscriber)).IsAuthorized);
    }

    [Fact]
    public async Task Encryption_keys_and_unsupported_types_are_skipped()
    {
        using var rsa = RSA.Create(2048);
        using var signing = RSA.Create(2048);
        var encryption = TempJwksFile.Rsa(rsa);
        encryption["use"] = "enc";
        var okp = new System.Text.Json.Nodes.JsonObject { ["kty"] = "OKP", ["crv"] = "Ed25519", ["x"] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" };
        using var jwks = new TempJwksFile(encryption, okp, TempJwksFile.Rsa(signing));
        JwtHubAuthorizer authorizer = SubscriberJwks(jwks.Path);

        Assert.Equal(HubAuthorizationStatus.Invalid,
            (await authorizer.CheckAsync(Bearer(Sign(new RsaSecurityKey(rsa), "RS256", SubscribeAll)), HubRole.Subscriber)).Status);
        Assert.True((await authorizer.CheckAsync(Bearer(Sign(new RsaSecurityKey(signing), "RS256", SubscribeAll)), HubRole.Subscriber)).IsAuthorized);
    }

    private static readonly string LongSecret = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(SubscriberSecret));

    public static TheoryData<string, string> BrokenSets => new()
    {
        { "not json at all", "is not a JSON Web Key Set" },
        { """{"keys":[]}""", "holds no signing key" },
        { """{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AA"}]}""", "holds no signing key" },
        { """{"keys":[{"kty":"RSA","e":"AQAB"}]}""", "has no 'n' member" },
        { """{"keys":[{"kty":"EC","crv":"P-192","x":"AA","y":"AA"}]}""", "only P-256, P-384 and P-521" },
        { """{"keys":[{"kty":"oct","k":"c2hvcnQ"}]}""", "too short for any HMAC algorithm" },
        { """{"keys":[{"kty":"oct","k":"c2hvcnQ","alg":"HS256"}]}""", "names alg 'HS256', which is not supported for this key" },
        { $$"""{"keys":[{"kty":"oct","k":"{{LongSecret}}","alg":"RS256"}]}""", "names alg 'RS256'" },
        { $$"""{"keys":[{"kty":"oct","k":"{{LongSecret}}","alg":"none"}]}""", "names alg 'none'" },
        { $$"""{"keys":[{"kty":"oct","k":"{{LongSecret}}","alg":"hs256"}]}""", "names alg 'hs256'" },
        { """{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}""", "is a 17-bit RSA key" },
        { """{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}""", "is not a valid EC key" },
    };

    [Theory]
    [MemberData(nameof(BrokenSets))]
    public void An_unusable_set_fails_at_construction_naming_the_option(string contents, string expected)
    {
        using var jwks = new TempJwksFile(contents);

        var error = Assert.Throws<ArgumentException>(() => SubscriberJwks(jwks.Path));

        Assert.Contains("Subscriber.JwksFile", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_fails_at_construction_naming_the_option()
    {
        string path = Path.Combine(Path.GetTempPath(), $"herald-missing-{Guid.NewGuid():N}.json");

        var error = Assert.Throws<ArgumentException>(() => SubscriberJwks(path));

        Assert.Contains("Subscriber.JwksFile", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be read", error.Message, StringComparison.Ordinal);
    }
}
