namespace Herald.Hub.Authorization;

/// <summary>
/// The keys that tokens of one role (publisher or subscriber) must be signed with. Set
/// <see cref="Key"/>, <see cref="JwksFile"/>, or both; with neither, every token presented for
/// the role is refused.
/// </summary>
public sealed class HeraldJwtOptions
{
    /// <summary>
    /// For <c>HS256</c>, <c>HS384</c> and <c>HS512</c>: the shared secret, used as its UTF-8 bytes,
    /// at least as long as the hash (32, 48 and 64 bytes). For <c>RS*</c>, <c>PS*</c> and
    /// <c>ES*</c>: a PEM public key, either SubjectPublicKeyInfo (<c>BEGIN PUBLIC KEY</c>) or
    /// PKCS#1 (<c>BEGIN RSA PUBLIC KEY</c>). To mint tokens with <see cref="HubTokenFactory"/>,
    /// give the private key PEM instead.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>
    /// The one algorithm that tokens signed with <see cref="Key"/> may use: <c>HS256</c> (the
    /// default), <c>HS384</c>, <c>HS512</c>, <c>RS256</c>, <c>RS384</c>, <c>RS512</c>,
    /// <c>PS256</c>, <c>PS384</c>, <c>PS512</c>, <c>ES256</c>, <c>ES384</c> or <c>ES512</c>.
    /// It does not apply to the keys of <see cref="JwksFile"/>, which carry their own.
    /// </summary>
    public string Algorithm { get; set; } = "HS256";

    /// <summary>
    /// The path of a JSON Web Key Set file (<c>{"keys":[...]}</c>) whose signing keys are accepted
    /// too. Each key is used only with its <c>alg</c> member if it has one, otherwise with the
    /// algorithms its type allows: <c>RSA</c> with <c>RS*</c>/<c>PS*</c>, <c>EC</c> with the
    /// <c>ES*</c> of its curve, <c>oct</c> with the <c>HS*</c> its length is enough for.
    /// The file is read once, when the authorizer is built.
    /// </summary>
    public string? JwksFile { get; set; }
}
