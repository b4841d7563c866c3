using System.Buffers.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Herald.Hub.Authorization;

/// <summary>
/// Reads the <c>mercure</c> claim of a validated token into <see cref="HubClaims"/>. The payload
/// is parsed again with System.Text.Json rather than through IdentityModel's claim model, so that
/// "absent", "null" and "empty array" stay distinct and the payload keeps its exact JSON.
/// </summary>
internal static class MercureClaimsReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        // Two "mercure" members could be read differently by different parsers; refuse the token
        // rather than guess which one its issuer meant.
        AllowDuplicateProperties = false,
        MaxDepth = 64,
    };

    /// <summary>Reads the claims, or says why they are malformed.</summary>
    /// <param name="token">A token whose signature and lifetime were already validated.</param>
    /// <param name="error">Why the claims are refused, safe to send to the client; set when the result is <see langword="null"/>.</param>
    /// <returns>The claims, or <see langword="null"/> when they are malformed.</returns>
    public static HubClaims? Read(JsonWebToken token, out string? error)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(Base64Url.DecodeFromChars(token.EncodedPayload), DocumentOptions);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            error = "the token payload is not valid JSON";
            return null;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "the token payload is not a JSON object";
                return null;
            }

            IReadOnlyList<string>? publish = null;
            IReadOnlyList<string>? subscribe = null;
            JsonElement? payload = null;
            if (root.TryGetProperty("mercure", out JsonElement mercure) && mercure.ValueKind != JsonValueKind.Null)
            {
                if (mercure.ValueKind != JsonValueKind.Object)
                {
                    error = "the mercure claim must be a JSON object";
                    return null;
                }

                if (!TryReadSelectors(mercure, "publish", out publish, out error)
                    || !TryReadSelectors(mercure, "subscribe", out subscribe, out error))
                {
                    return null;
                }

                if (mercure.TryGetProperty("payload", out JsonElement value) && value.ValueKind != JsonValueKind.Null)
                {
                    payload = value.Clone();
                }
            }

            error = null;
            return new HubClaims
            {
                Publish = publish,
                Subscribe = subscribe,
                Payload = payload,
                ExpiresAt = root.TryGetProperty("exp", out _) ? new DateTimeOffset(token.ValidTo, TimeSpan.Zero) : null,
                Subject = root.TryGetProperty("sub", out JsonElement sub) && sub.ValueKind == JsonValueKind.String ? sub.GetString() : null,
            };
        }
    }

    /// <summary>
    /// Reads <c>publish</c> or <c>subscribe</c>: absent or null is <see langword="null"/> (as in
    /// Mercure, where both decode to a nil slice), an array of strings is the list, anything else
    /// is an error.
    /// </summary>
    private static bool TryReadSelectors(JsonElement mercure, string name, out IReadOnlyList<string>? selectors, out string? error)
    {
        selectors = null;
        error = null;
        if (!mercure.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            var list = new string[value.GetArrayLength()];
            int i = 0;
            foreach (JsonElement item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    break;
                }

                list[i++] = item.GetString()!;
            }

            if (i == list.Length)
            {
                selectors = list;
                return true;
            }
        }

        error = $"mercure.{name} must be an array of strings";
        return false;
    }
}
