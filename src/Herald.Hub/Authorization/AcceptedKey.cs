using Microsoft.IdentityModel.Tokens;

namespace Herald.Hub.Authorization;

/// <summary>
/// A verification key and the only algorithms a token signed with it may name. Pairing them
/// is what stops algorithm confusion: an RSA public key is never tried as an HMAC secret.
/// </summary>
/// <param name="Key">The key, built once.</param>
/// <param name="Algorithms">The <c>alg</c> values accepted with this key.</param>
internal sealed record AcceptedKey(SecurityKey Key, IReadOnlyList<string> Algorithms);
