using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Herald.Hub.Authorization;

/// <summary>
/// Mints Mercure tokens: for the CLI's <c>token</c> command, the dev server's ready-made
/// publisher token, and tests.
/// </summary>
public static class HubTokenFactory
{
    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>Creates a signed token whose <c>mercure</c> claim carries the given rights.</summary>
    /// <param name="signingKey">
    /// The key and algorithm: for <c>HS*</c> the shared secret, for <c>RS*</c>, <c>PS*</c> and
    /// <c>ES*</c> a PEM <em>private</em> key (PKCS#8 <c>BEGIN PRIVATE KEY</c>, or
    /// <c>BEGIN RSA PRIVATE KEY</c> / <c>BEGIN EC PRIVATE KEY</c>). <see cref="HeraldJwtOptions.JwksFile"/> is not used.
    /// </param>
    /// <param name="publish">The topic selectors the bearer may publish to; <see langword="null"/> leaves the member out.</param>
    /// <param name="subscribe">The topic selectors whose private updates the bearer may receive; <see langword="null"/> leaves the member out.</param>
    /// <param name="payload">Any JSON to put in <c>mercure.payload</c>; <see langword="null"/> leaves it out.</param>
    /// <param name="expires">The token's <c>exp</c>; <see langword="null"/> for a token that never expires.</param>
    /// <param name="subject">The token's <c>sub</c>, if any.</param>
    /// <returns>The compact JWS.</returns>
    /// <exception cref="ArgumentException">The key is missing or unusable for its algorithm, or a selector is null.</exception>
    public static string Create(
        HeraldJwtOptions signingKey,
        IEnumerable<string>? publish,
        IEnumerable<string>? subscribe,
        JsonElement? payload = null,
        DateTimeOffset? expires = null,
        string? subject = null)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        if (string.IsNullOrEmpty(signingKey.Key))
        {
            throw new ArgumentException("Key must be set to sign a token.", nameof(signingKey));
        }

        if (payload is { ValueKind: JsonValueKind.Undefined })
        {
            throw new ArgumentException("The payload is an undefined JsonElement; pass null to leave it out.", nameof(payload));
        }

        SigningCredentials credentials = OptionKeyLoader.LoadSigningCredentials(signingKey, nameof(HeraldJwtOptions), nameof(signingKey));
        string claims = WriteClaims(publish, subscribe, payload, expires, subject);

        // Handed the payload as a string, IdentityModel signs it as is: it adds no iat, nbf or exp.
        return Handler.CreateToken(claims, credentials);
    }

    private static string WriteClaims(
        IEnumerable<string>? publish, IEnumerable<string>? subscribe, JsonElement? payload, DateTimeOffset? expires, string? subject)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("mercure");
            WriteSelectors(writer, "publish", publish, nameof(publish));
            WriteSelectors(writer, "subscribe", subscribe, nameof(subscribe));
            if (payload is { } value)
            {
                writer.WritePropertyName("payload");
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
            if (subject is not null)
            {
                writer.WriteString("sub", subject);
            }

            if (expires is { } exp)
            {
                writer.WriteNumber("exp", exp.ToUnixTimeSeconds());
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteSelectors(Utf8JsonWriter writer, string name, IEnumerable<string>? selectors, string paramName)
    {
        if (selectors is null)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (string selector in selectors)
        {
            writer.WriteStringValue(selector ?? throw new ArgumentException("A topic selector is null.", paramName));
        }

        writer.WriteEndArray();
    }
}
