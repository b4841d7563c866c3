using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Herald.Hub.Authorization;

/// <summary>
/// Reads <see cref="HeraldJwtOptions.JwksFile"/> into keys, each pinned to the algorithms its own
/// type allows. Like <see cref="OptionKeyLoader"/>, every problem is an
/// <see cref="ArgumentException"/> naming the option, thrown while the hub starts.
/// </summary>
internal static class JwksKeyLoader
{
    /// <summary>Reads and converts the key set.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="optionPath">The options' name in messages, such as <c>Subscriber</c>.</param>
    /// <param name="paramName">The parameter the options came in, for the exception.</param>
    /// <returns>The signing keys of the set; at least one.</returns>
    public static IReadOnlyList<AcceptedKey> Load(string path, string optionPath, string paramName)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ArgumentException($"{optionPath}.JwksFile '{path}' cannot be read: {e.Message}", paramName, e);
        }

        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(json);
        }
        catch (Exception e) when (e is ArgumentException or JsonException)
        {
            throw new ArgumentException($"{optionPath}.JwksFile '{path}' is not a JSON Web Key Set ({{\"keys\":[...]}}).", paramName, e);
        }

        var keys = new List<AcceptedKey>();
        for (int i = 0; i < set.Keys.Count; i++)
        {
            string where = $"{optionPath}.JwksFile '{path}', key {i}{(string.IsNullOrEmpty(set.Keys[i].Kid) ? "" : $" ('{set.Keys[i].Kid}')")}";
            if (Convert(set.Keys[i], where, paramName) is { } key)
            {
                keys.Add(key);
            }
        }

        if (keys.Count == 0)
        {
            throw new ArgumentException(
                $"{optionPath}.JwksFile '{path}' holds no signing key of a supported type (RSA, EC on P-256/P-384/P-521, oct).", paramName);
        }

        return keys;
    }

    /// <summary>
    /// Converts one JWK, or returns <see langword="null"/> for one the hub has no use for (an
    /// encryption key, or a type such as OKP it does not verify), as a set shared with other
    /// services may well hold. A key of a supported type that is broken is an error.
    /// </summary>
    private static AcceptedKey? Convert(JsonWebKey jwk, string where, string paramName)
    {
        if (string.Equals(jwk.Use, JsonWebKeyUseNames.Enc, StringComparison.Ordinal))
        {
            return null;
        }

        JwtKeyKind kind;
        switch (jwk.Kty)
        {
            case JsonWebAlgorithmsKeyTypes.RSA:
                kind = JwtKeyKind.Rsa;
                break;
            case JsonWebAlgorithmsKeyTypes.EllipticCurve:
                kind = JwtKeyKind.Ecdsa;
                break;
            case JsonWebAlgorithmsKeyTypes.Octet:
                kind = JwtKeyKind.Hmac;
                break;
            default:
                return null;
        }

        try
        {
            return kind switch
            {
                JwtKeyKind.Rsa => ConvertRsa(jwk, where, paramName),
                JwtKeyKind.Ecdsa => ConvertEcdsa(jwk, where, paramName),
                _ => ConvertOctet(jwk, where, paramName),
            };
        }
        catch (Exception e) when (e is FormatException or CryptographicException or ArgumentNullException)
        {
            throw new ArgumentException($"{where} is not a valid {jwk.Kty} key: {e.Message}", paramName, e);
        }
    }

    private static AcceptedKey ConvertRsa(JsonWebKey jwk, string where, string paramName)
    {
        RequireMembers(where, paramName, ("n", jwk.N), ("e", jwk.E));
        var rsa = RSA.Create(new RSAParameters
        {
            Modulus = Base64UrlEncoder.DecodeBytes(jwk.N),
            Exponent = Base64UrlEncoder.DecodeBytes(jwk.E),
        });
        if (rsa.KeySize < JwtAlgorithm.MinimumRsaVerifyingKeyBits)
        {
            int size = rsa.KeySize;
            rsa.Dispose();
            throw new ArgumentException(
                $"{where} is a {size}-bit RSA key; at least {JwtAlgorithm.MinimumRsaVerifyingKeyBits} bits are needed.", paramName);
        }

        var key = new RsaSecurityKey(rsa) { KeyId = jwk.Kid };
        return new AcceptedKey(key, AlgorithmsFor(jwk, JwtKeyKind.Rsa, a => true, where, paramName));
    }

    private static AcceptedKey ConvertEcdsa(JsonWebKey jwk, string where, string paramName)
    {
        RequireMembers(where, paramName, ("crv", jwk.Crv), ("x", jwk.X), ("y", jwk.Y));
        JwtAlgorithm curveAlgorithm = JwtAlgorithm.All.FirstOrDefault(
            a => a.KeyKind == JwtKeyKind.Ecdsa && string.Equals(a.JwkCurve, jwk.Crv, StringComparison.Ordinal))
            ?? throw new ArgumentException($"{where} is on curve '{jwk.Crv}'; only P-256, P-384 and P-521 are supported.", paramName);

        var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = curveAlgorithm.EcdsaCurve,
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.X), Y = Base64UrlEncoder.DecodeBytes(jwk.Y) },
        });
        var key = new ECDsaSecurityKey(ecdsa) { KeyId = jwk.Kid };
        return new AcceptedKey(key, AlgorithmsFor(jwk, JwtKeyKind.Ecdsa, a => a == curveAlgorithm, where, paramName));
    }

    private static AcceptedKey ConvertOctet(JsonWebKey jwk, string where, string paramName)
    {
        RequireMembers(where, paramName, ("k", jwk.K));
        byte[] secret = Base64UrlEncoder.DecodeBytes(jwk.K);
        var key = new SymmetricSecurityKey(secret) { KeyId = jwk.Kid };
        return new AcceptedKey(key, AlgorithmsFor(jwk, JwtKeyKind.Hmac, a => secret.Length >= a.MinimumHmacKeyBytes, where, paramName));
    }

    /// <summary>
    /// The key's own <c>alg</c> when it names one (it must suit the key), otherwise every
    /// algorithm of the key's kind that the key is strong enough for.
    /// </summary>
    private static string[] AlgorithmsFor(JsonWebKey jwk, JwtKeyKind kind, Func<JwtAlgorithm, bool> suits, string where, string paramName)
    {
        if (!string.IsNullOrEmpty(jwk.Alg))
        {
            // JWK members are case-sensitive (RFC 7517), so "hs256" is not HS256.
            JwtAlgorithm? named = JwtAlgorithm.Find(jwk.Alg, StringComparison.Ordinal);
            if (named is null || named.KeyKind != kind || !suits(named))
            {
                throw new ArgumentException($"{where} names alg '{jwk.Alg}', which is not supported for this key.", paramName);
            }

            return [named.Name];
        }

        string[] algorithms = [.. JwtAlgorithm.All.Where(a => a.KeyKind == kind && suits(a)).Select(a => a.Name)];
        return algorithms.Length > 0
            ? algorithms
            : throw new ArgumentException($"{where} is too short for any HMAC algorithm; HS256 needs at least 32 bytes.", paramName);
    }

    private static void RequireMembers(string where, string paramName, params ReadOnlySpan<(string Name, string? Value)> members)
    {
        foreach ((string name, string? value) in members)
        {
            if (string.IsNullOrEmpty(value))
            {
                throw new ArgumentException($"{where} has no '{name}' member.", paramName);
            }
        }
    }
}
