using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Herald.Hub.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Herald.Hub.Tests.Authorization;

/// <summary>Requests, keys and tokens for the authorization tests.</summary>
internal static class AuthorizationTestKit
{
    /// <summary>A fixed start for fake clocks, so exp values are readable.</summary>
    public static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>64-byte secrets, enough for HS512; <see cref="Secret"/> cuts them to what a test needs.</summary>
    public const string PublisherSecret = "publisher-secret-that-is-64-bytes-long-for-hs512-tests-012345678";
    public const string SubscriberSecret = "subscriber-secret-that-is-64-bytes-long-for-hs512-tests-01234567";

    public static string Secret(string secret, int bytes) => secret[..bytes];

    public static HttpRequest Request(
        string? authorization = null,
        string? query = null,
        string? cookie = null,
        string method = "GET",
        string? origin = null,
        string? referer = null)
    {
        var context = new DefaultHttpContext();
        HttpRequest request = context.Request;
        request.Method = method;
        if (authorization is not null)
        {
            request.Headers.Authorization = authorization;
        }

        if (query is not null)
        {
            request.QueryString = QueryString.Create("authorization", query);
        }

        if (cookie is not null)
        {
            request.Headers.Cookie = $"mercureAuthorization={cookie}";
        }

        if (origin is not null)
        {
            request.Headers.Origin = origin;
        }

        if (referer is not null)
        {
            request.Headers.Referer = referer;
        }

        return request;
    }

    public static HttpRequest Bearer(string token) => Request(authorization: $"Bearer {token}");

    public static HeraldAuthorizationOptions HsOptions(string algorithm = "HS256") => new()
    {
        Publisher = new HeraldJwtOptions { Key = PublisherSecret, Algorithm = algorithm },
        Subscriber = new HeraldJwtOptions { Key = SubscriberSecret, Algorithm = algorithm },
    };

    public static JwtHubAuthorizer Authorizer(HeraldAuthorizationOptions? options = null, TimeProvider? time = null) =>
        new(options ?? HsOptions(), time ?? new FakeTimeProvider(Start));

    public static Task<HubAuthorizationResult> CheckAsync(this IHubAuthorizer authorizer, HttpRequest request, HubRole role = HubRole.Publisher) =>
        authorizer.AuthorizeAsync(request, role, CancellationToken.None).AsTask();

    /// <summary>Signs a payload by hand with HMAC, as any other library would; no Herald code involved.</summary>
    public static string SignHmac(string algorithm, byte[] secret, string payloadJson, string? kid = null)
    {
        string signingInput = $"{Part(Header(algorithm, kid))}.{Part(payloadJson)}";
        byte[] input = Encoding.ASCII.GetBytes(signingInput);
        byte[] signature = algorithm switch
        {
            "HS256" => HMACSHA256.HashData(secret, input),
            "HS384" => HMACSHA384.HashData(secret, input),
            "HS512" => HMACSHA512.HashData(secret, input),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    public static string SignHmac(string algorithm, string secret, string payloadJson) =>
        SignHmac(algorithm, Encoding.UTF8.GetBytes(secret), payloadJson);

    /// <summary>Signs with IdentityModel directly, for the asymmetric algorithms.</summary>
    public static string Sign(SecurityKey key, string algorithm, string payloadJson) =>
        new JsonWebTokenHandler().CreateToken(payloadJson, new SigningCredentials(key, algorithm));

    /// <summary>An <c>alg: none</c> token: header and payload, empty signature.</summary>
    public static string Unsigned(string payloadJson) => $"{Part("""{"alg":"none","typ":"JWT"}""")}.{Part(payloadJson)}.";

    public static string Part(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    private static string Header(string algorithm, string? kid) =>
        kid is null ? $$"""{"alg":"{{algorithm}}","typ":"JWT"}""" : $$"""{"alg":"{{algorithm}}","typ":"JWT","kid":"{{kid}}"}""";

    public const string PublishAll = """{"mercure":{"publish":["*"]}}""";
    public const string SubscribeAll = """{"mercure":{"subscribe":["*"]}}""";

    public static string PublisherToken(string algorithm = "HS256") => SignHmac(algorithm, PublisherSecret, PublishAll);

    public static string SubscriberToken(string algorithm = "HS256") => SignHmac(algorithm, SubscriberSecret, SubscribeAll);
}
