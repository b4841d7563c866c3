namespace Herald.Hub.Authorization;

/// <summary>The type of key a JWS algorithm works with; a key is never used with another kind's algorithms.</summary>
internal enum JwtKeyKind
{
    /// <summary>A shared secret (<c>HS*</c>; JWK <c>oct</c>).</summary>
    Hmac,

    /// <summary>An RSA key (<c>RS*</c>, <c>PS*</c>; JWK <c>RSA</c>).</summary>
    Rsa,

    /// <summary>An elliptic-curve key on the NIST curve of the algorithm (<c>ES*</c>; JWK <c>EC</c>).</summary>
    Ecdsa,
}
