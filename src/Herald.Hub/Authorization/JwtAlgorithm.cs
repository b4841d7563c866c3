using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Herald.Hub.Authorization;

/// <summary>
/// One JWS algorithm the hub accepts, with what its key must be. <c>none</c> is deliberately not
/// in the list, so no configuration can accept unsigned tokens.
/// </summary>
/// <param name="Name">The JWS <c>alg</c> value.</param>
/// <param name="KeyKind">The type of key it signs with.</param>
/// <param name="HashBits">The size of its hash: 256, 384 or 512.</param>
internal sealed record JwtAlgorithm(string Name, JwtKeyKind KeyKind, int HashBits)
{
    /// <summary>
    /// The smallest RSA key IdentityModel verifies with. Checking it when the key is loaded makes a
    /// too-small key stop the server instead of failing every request.
    /// </summary>
    public const int MinimumRsaVerifyingKeyBits = 1024;

    /// <summary>The smallest RSA key IdentityModel signs with.</summary>
    public const int MinimumRsaSigningKeyBits = 2048;

    /// <summary>Every accepted algorithm.</summary>
    public static IReadOnlyList<JwtAlgorithm> All { get; } =
    [
        new(SecurityAlgorithms.HmacSha256, JwtKeyKind.Hmac, 256),
        new(SecurityAlgorithms.HmacSha384, JwtKeyKind.Hmac, 384),
        new(SecurityAlgorithms.HmacSha512, JwtKeyKind.Hmac, 512),
        new(SecurityAlgorithms.RsaSha256, JwtKeyKind.Rsa, 256),
        new(SecurityAlgorithms.RsaSha384, JwtKeyKind.Rsa, 384),
        new(SecurityAlgorithms.RsaSha512, JwtKeyKind.Rsa, 512),
        new(SecurityAlgorithms.RsaSsaPssSha256, JwtKeyKind.Rsa, 256),
        new(SecurityAlgorithms.RsaSsaPssSha384, JwtKeyKind.Rsa, 384),
        new(SecurityAlgorithms.RsaSsaPssSha512, JwtKeyKind.Rsa, 512),
        new(SecurityAlgorithms.EcdsaSha256, JwtKeyKind.Ecdsa, 256),
        new(SecurityAlgorithms.EcdsaSha384, JwtKeyKind.Ecdsa, 384),
        new(SecurityAlgorithms.EcdsaSha512, JwtKeyKind.Ecdsa, 512),
    ];

    /// <summary>The names of <see cref="All"/>, for error messages.</summary>
    public static string AllNames { get; } = string.Join(", ", All.Select(a => a.Name));

    /// <summary>
    /// The fewest bytes an HMAC secret may have: the hash size, as RFC 7518 section 3.2 requires
    /// (IdentityModel itself only insists on 256 bits for all three).
    /// </summary>
    public int MinimumHmacKeyBytes => HashBits / 8;

    /// <summary>The NIST curve an <c>ES*</c> key must be on: P-256, P-384 or P-521.</summary>
    public ECCurve EcdsaCurve => HashBits switch
    {
        256 => ECCurve.NamedCurves.nistP256,
        384 => ECCurve.NamedCurves.nistP384,
        _ => ECCurve.NamedCurves.nistP521,
    };

    /// <summary>The JWK <c>crv</c> name of <see cref="EcdsaCurve"/>.</summary>
    public string JwkCurve => HashBits == 512 ? "P-521" : $"P-{HashBits}";

    /// <summary>Whether an imported ECDSA key is on <see cref="EcdsaCurve"/>, compared by OID.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> if the key's curve is this algorithm's.</returns>
    public bool IsOnCurve(ECDsa key) =>
        key.ExportParameters(includePrivateParameters: false).Curve.Oid?.Value is { } oid
        && oid == EcdsaCurve.Oid.Value;

    /// <summary>Finds an algorithm by its <c>alg</c> name.</summary>
    /// <param name="name">The name; configuration is forgiving of case, JWKs are not.</param>
    /// <param name="comparison">How to compare names.</param>
    /// <returns>The algorithm, or <see langword="null"/> if it is not accepted.</returns>
    public static JwtAlgorithm? Find(string? name, StringComparison comparison) =>
        All.FirstOrDefault(a => string.Equals(a.Name, name, comparison));
}
