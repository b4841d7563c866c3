using System.Net;
using System.Text;
using System.Text.Json;
using Herald.Server.Commands;
using Herald.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Herald.Server.Tests.Commands;

/// <summary><c>herald token</c>: the JWT it prints verifies with the key and carries the rights asked for.</summary>
public sealed class TokenCommandTests
{
    private const string Key = TestTokens.PublisherKey;

    [Fact]
    public async Task The_printed_token_verifies_with_the_key_and_carries_the_selectors_and_expiry()
    {
        DateTimeOffset expires = DateTimeOffset.UtcNow.AddMinutes(15);
        (int exit, string output, string error) = await RunAsync(Key, "HS256", ["https://example.com/books/{id}"], ["https://example.com/a", "*"], expires);

        Assert.Equal(0, exit);
        Assert.Empty(error);
        JsonWebToken token = await ValidateAsync(SingleLine(output), Key);
        Assert.Equal("HS256", token.Alg);
        JsonElement mercure = JsonDocument.Parse(Base64UrlEncoder.Decode(token.EncodedPayload)).RootElement.GetProperty("mercure");
        Assert.Equal(["https://example.com/books/{id}"], mercure.GetProperty("publish").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["https://example.com/a", "*"], mercure.GetProperty("subscribe").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(expires.ToUnixTimeSeconds(), new DateTimeOffset(token.ValidTo).ToUnixTimeSeconds());
    }

    [Fact]
    public async Task A_role_not_asked_for_is_left_out_of_the_claim()
    {
        (_, string output, _) = await RunAsync(Key, "HS256", publish: null, subscribe: ["*"], expires: null);

        JsonWebToken token = await ValidateAsync(SingleLine(output), Key, lifetime: false);
        JsonElement mercure = JsonDocument.Parse(Base64UrlEncoder.Decode(token.EncodedPayload)).RootElement.GetProperty("mercure");
        Assert.False(mercure.TryGetProperty("publish", out _));
        Assert.False(token.TryGetPayloadValue("exp", out object _), "a token asked for with no expiry has no exp claim");
    }

    [Fact]
    public async Task A_key_too_short_for_the_algorithm_exits_1_with_the_reason_and_prints_no_token()
    {
        (int exit, string output, string error) = await RunAsync("short", "HS256", ["*"], null, null);

        Assert.Equal(TokenCommand.UnusableKey, exit);
        Assert.Empty(output);
        Assert.StartsWith("herald token: ", error, StringComparison.Ordinal);
        Assert.Contains("at least 32 bytes", error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_file_is_read_with_at_sign_and_a_missing_one_exits_1()
    {
        using var directory = new TempDirectory();
        string file = Path.Combine(directory.Path, "key");
        await File.WriteAllTextAsync(file, Key);

        (int exit, string output, _) = await RunAsync("@" + file, "HS256", ["*"], null, null);
        (int missingExit, _, string missingError) = await RunAsync("@" + Path.Combine(directory.Path, "missing"), "HS256", ["*"], null, null);

        Assert.Equal(0, exit);
        await ValidateAsync(SingleLine(output), Key, lifetime: false);
        Assert.Equal(TokenCommand.UnusableKey, missingExit);
        Assert.Contains("missing", missingError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("15m", 15 * 60)]
    [InlineData("1h", 3600)]
    [InlineData("7d", 7 * 86_400)]
    [InlineData("36525d", 36_525L * 86_400)]
    public void Lifetimes_read_as_a_count_and_a_unit(string text, long seconds)
    {
        Assert.True(TokenLifetime.TryParse(text, out TimeSpan? lifetime));
        Assert.Equal(TimeSpan.FromSeconds(seconds), lifetime);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("1w")]
    [InlineData("h")]
    [InlineData("-5m")]
    [InlineData("+5m")]
    [InlineData(" 5m")]
    [InlineData("1.5h")]
    [InlineData("36526d")]
    [InlineData("99999999999999999999d")]
    [InlineData("")]
    public void Other_lifetimes_are_refused(string text)
    {
        Assert.False(TokenLifetime.TryParse(text, out _));
    }

    [Fact]
    public async Task As_a_process_it_prints_only_the_token_and_a_hub_accepts_it()
    {
        await using HubHost host = await HubHost.StartAsync();
        await using HeraldProcess herald = HeraldProcess.Start("token", "--key", Key, "--publish", "https://example.com/books/{id}", "--exp", "15m");

        Assert.Equal(0, await herald.WaitForExitAsync());
        string token = SingleLine(herald.Output);
        using HttpResponseMessage allowed = await host.PostAsync([new("topic", "https://example.com/books/1"), new("data", "x")], token);
        using HttpResponseMessage outside = await host.PostAsync([new("topic", "https://example.com/authors/1"), new("data", "x")], token);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        JsonWebToken parsed = await ValidateAsync(token, Key);
        Assert.InRange(parsed.ValidTo, DateTime.UtcNow.AddMinutes(14), DateTime.UtcNow.AddMinutes(16));
    }

    [Fact]
    public async Task As_a_process_an_unreadable_exp_is_refused_with_the_accepted_forms()
    {
        await using HeraldProcess herald = HeraldProcess.Start("token", "--key", Key, "--exp", "5 weeks");

        Assert.NotEqual(0, await herald.WaitForExitAsync());
        Assert.Contains("--exp must be a whole number followed by s, m, h or d", herald.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", herald.Output, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string key, string algorithm, string[]? publish, string[]? subscribe, DateTimeOffset? expires)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exit = await TokenCommand.RunAsync(key, algorithm, publish, subscribe, expires, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static string SingleLine(string output) => Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Trim();

    /// <summary>Verifies the signature (HS256 only) and, unless told not to, the lifetime, with IdentityModel.</summary>
    private static async Task<JsonWebToken> ValidateAsync(string token, string key, bool lifetime = true)
    {
        TokenValidationResult result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = lifetime,
            RequireExpirationTime = lifetime,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        return (JsonWebToken)result.SecurityToken;
    }
}
