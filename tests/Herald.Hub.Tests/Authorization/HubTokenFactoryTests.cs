using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Herald.Hub.Authorization;
using Microsoft.Extensions.Time.Testing;
using static Herald.Hub.Tests.Authorization.AuthorizationTestKit;

namespace Herald.Hub.Tests.Authorization;

public sealed class HubTokenFactoryTests
{
    private static readonly HeraldJwtOptions PublisherKey = new() { Key = PublisherSecret };

    private static JsonElement PayloadOf(string token) =>
        JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[1])).RootElement.Clone();

    private static JsonElement HeaderOf(string token) =>
        JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[0])).RootElement.Clone();

    [Fact]
    public void The_token_holds_exactly_the_given_claims()
    {
        using JsonDocument payload = JsonDocument.Parse("""{"user":"alice"}""");

        string token = HubTokenFactory.Create(
            PublisherKey, ["*"], ["https://example.com/{id}"], payload.RootElement, Start.AddHours(1), subject: "alice");

        JsonElement claims = PayloadOf(token);
        Assert.Equal(
            $$$"""{"mercure":{"publish":["*"],"subscribe":["https://example.com/{id}"],"payload":{"user":"alice"}},"sub":"alice","exp":{{{Start.AddHours(1).ToUnixTimeSeconds()}}}}""",
            claims.GetRawText());
        Assert.Equal("HS256", HeaderOf(token).GetProperty("alg").GetString());
    }

    [Fact]
    public void Null_arguments_leave_their_members_out_and_add_no_time_claims()
    {
        string token = HubTokenFactory.Create(PublisherKey, publish: [], subscribe: null);

        Assert.Equal("""{"mercure":{"publish":[]}}""", PayloadOf(token).GetRawText());
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("HS384")]
    [InlineData("HS512")]
    public async Task An_HMAC_token_is_accepted_by_an_authorizer_with_the_same_secret(string algorithm)
    {
        string token = HubTokenFactory.Create(new HeraldJwtOptions { Key = PublisherSecret, Algorithm = algorithm }, ["*"], null, expires: Start.AddMinutes(1));

        HubAuthorizationResult result = await Authorizer(HsOptions(algorithm)).CheckAsync(Bearer(token));

        Assert.True(result.IsAuthorized, result.Error);
        Assert.Equal(["*"], result.Claims.Publish);
        Assert.Null(result.Claims.Subscribe);
        Assert.Equal(Start.AddMinutes(1), result.Claims.ExpiresAt);
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("PS512")]
    [InlineData("ES256")]
    [InlineData("ES512")]
    public async Task A_private_key_PEM_signs_tokens_its_public_key_verifies(string algorithm)
    {
        using AsymmetricAlgorithm key = algorithm.StartsWith("ES", StringComparison.Ordinal)
            ? ECDsa.Create(algorithm == "ES256" ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP521)
            : RSA.Create(2048);

        string token = HubTokenFactory.Create(new HeraldJwtOptions { Key = key.ExportPkcs8PrivateKeyPem(), Algorithm = algorithm }, null, ["*"]);
        JwtHubAuthorizer authorizer = new(
            new HeraldAuthorizationOptions { Subscriber = new HeraldJwtOptions { Key = key.ExportSubjectPublicKeyInfoPem(), Algorithm = algorithm } },
            new FakeTimeProvider(Start));
        HubAuthorizationResult result = await authorizer.CheckAsync(Bearer(token), HubRole.Subscriber);

        Assert.True(result.IsAuthorized, result.Error);
        Assert.Equal(algorithm, HeaderOf(token).GetProperty("alg").GetString());
    }

    [Fact]
    public void A_public_key_cannot_sign()
    {
        using var rsa = RSA.Create(2048);

        ArgumentException error = Assert.Throws<ArgumentException>(
            () => HubTokenFactory.Create(new HeraldJwtOptions { Key = rsa.ExportSubjectPublicKeyInfoPem(), Algorithm = "RS256" }, ["*"], null));

        Assert.Contains("not a readable PEM RSA private key", error.Message, StringComparison.Ordinal);
        Assert.Equal("signingKey", error.ParamName);
    }

    [Fact]
    public void A_missing_or_short_secret_cannot_sign()
    {
        Assert.Throws<ArgumentException>(() => HubTokenFactory.Create(new HeraldJwtOptions(), ["*"], null));
        Assert.Throws<ArgumentException>(() => HubTokenFactory.Create(new HeraldJwtOptions { Key = "short" }, ["*"], null));
        Assert.Throws<ArgumentException>(() => HubTokenFactory.Create(PublisherKey, [null!], null));
        Assert.Throws<ArgumentException>(() => HubTokenFactory.Create(PublisherKey, null, null, default(JsonElement)));
    }
}
