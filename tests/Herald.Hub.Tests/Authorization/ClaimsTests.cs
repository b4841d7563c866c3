using System.Text.Json;
using Herald.Hub.Authorization;
using static Herald.Hub.Tests.Authorization.AuthorizationTestKit;

namespace Herald.Hub.Tests.Authorization;

public sealed class ClaimsTests
{
    private static async Task<HubAuthorizationResult> AuthorizePayload(string payloadJson) =>
        await Authorizer().CheckAsync(Bearer(SignHmac("HS256", PublisherSecret, payloadJson)));

    private static async Task<HubClaims> ClaimsOf(string payloadJson)
    {
        HubAuthorizationResult result = await AuthorizePayload(payloadJson);
        Assert.True(result.IsAuthorized, result.Error);
        return result.Claims;
    }

    [Fact]
    public async Task Absent_publish_and_subscribe_are_null()
    {
        HubClaims claims = await ClaimsOf("""{"mercure":{}}""");

        Assert.Null(claims.Publish);
        Assert.Null(claims.Subscribe);
        Assert.Null(claims.Payload);
    }

    [Fact]
    public async Task Empty_publish_and_subscribe_are_empty_lists_not_null()
    {
        HubClaims claims = await ClaimsOf("""{"mercure":{"publish":[],"subscribe":[]}}""");

        Assert.NotNull(claims.Publish);
        Assert.Empty(claims.Publish);
        Assert.NotNull(claims.Subscribe);
        Assert.Empty(claims.Subscribe);
    }

    [Fact]
    public async Task Null_publish_and_subscribe_are_read_as_absent()
    {
        HubClaims claims = await ClaimsOf("""{"mercure":{"publish":null,"subscribe":null,"payload":null}}""");

        Assert.Null(claims.Publish);
        Assert.Null(claims.Subscribe);
        Assert.Null(claims.Payload);
    }

    [Fact]
    public async Task Selectors_are_kept_in_order_with_unicode_and_templates()
    {
        HubClaims claims = await ClaimsOf(
            """{"mercure":{"publish":["https://example.com/books/{id}","*"],"subscribe":["https://example.com/caf\u00e9","urn:x"]}}""");

        Assert.Equal(["https://example.com/books/{id}", "*"], claims.Publish);
        Assert.Equal(["https://example.com/café", "urn:x"], claims.Subscribe);
    }

    [Fact]
    public async Task The_payload_is_preserved_and_outlives_the_token()
    {
        const string payload = """{"user":"https://example.com/users/dunglas","remoteAddr":"127.0.0.1","n":[1,2.5,true,null],"nested":{"a":{}}}""";
        HubClaims claims = await ClaimsOf($$$"""{"mercure":{"subscribe":["*"],"payload":{{{payload}}}}}""");
        GC.Collect();

        Assert.NotNull(claims.Payload);
        Assert.Equal(payload, claims.Payload.Value.GetRawText());
        Assert.Equal("127.0.0.1", claims.Payload.Value.GetProperty("remoteAddr").GetString());
    }

    [Theory]
    [InlineData("\"just a string\"", JsonValueKind.String)]
    [InlineData("42", JsonValueKind.Number)]
    [InlineData("[1,\"two\"]", JsonValueKind.Array)]
    public async Task A_payload_of_any_JSON_type_is_kept(string payload, JsonValueKind kind)
    {
        HubClaims claims = await ClaimsOf($$$"""{"mercure":{"payload":{{{payload}}}}}""");

        Assert.Equal(kind, claims.Payload!.Value.ValueKind);
        Assert.Equal(payload, claims.Payload.Value.GetRawText());
    }

    [Fact]
    public async Task A_token_without_a_mercure_claim_is_authorized_with_no_rights()
    {
        HubClaims claims = await ClaimsOf("""{"sub":"alice"}""");

        Assert.Null(claims.Publish);
        Assert.Null(claims.Subscribe);
        Assert.Equal("alice", claims.Subject);
    }

    [Fact]
    public async Task Unknown_members_of_the_mercure_claim_and_of_the_token_are_ignored()
    {
        HubClaims claims = await ClaimsOf("""{"iss":"me","aud":"you","mercure":{"publish":["a"],"future":{"x":1}}}""");

        Assert.Equal(["a"], claims.Publish);
        Assert.Null(claims.Subject);
    }

    [Theory]
    [InlineData("""{"mercure":"{\"publish\":[\"*\"]}"}""", "the mercure claim must be a JSON object")]
    [InlineData("""{"mercure":["*"]}""", "the mercure claim must be a JSON object")]
    [InlineData("""{"mercure":{"publish":"*"}}""", "mercure.publish must be an array of strings")]
    [InlineData("""{"mercure":{"publish":["*",1]}}""", "mercure.publish must be an array of strings")]
    [InlineData("""{"mercure":{"subscribe":[null]}}""", "mercure.subscribe must be an array of strings")]
    [InlineData("""{"mercure":{"subscribe":{"0":"*"}}}""", "mercure.subscribe must be an array of strings")]
    public async Task A_malformed_mercure_claim_is_invalid_with_a_message(string payloadJson, string expected)
    {
        HubAuthorizationResult result = await AuthorizePayload(payloadJson);

        Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
        Assert.Equal(expected, result.Error);
    }

    [Fact]
    public async Task A_payload_with_two_mercure_claims_is_invalid_rather_than_guessed()
    {
        HubAuthorizationResult result = await AuthorizePayload("""{"mercure":{"publish":[]},"mercure":{"publish":["*"]}}""");

        Assert.Equal(HubAuthorizationStatus.Invalid, result.Status);
        Assert.Equal("the token payload is not valid JSON", result.Error);
    }
}
