using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Herald.Hub.Authorization;

/// <summary>
/// Builds the key of <see cref="HeraldJwtOptions.Key"/> for its <see cref="HeraldJwtOptions.Algorithm"/>.
/// Every problem is an <see cref="ArgumentException"/> naming the option, thrown while the hub
/// starts, so a bad key stops the server instead of refusing every request.
/// </summary>
internal static class OptionKeyLoader
{
    /// <summary>Builds the verification key and pins it to the configured algorithm.</summary>
    /// <param name="options">The options; <see cref="HeraldJwtOptions.Key"/> must be set.</param>
    /// <param name="optionPath">The options' name in messages, such as <c>Publisher</c>.</param>
    /// <param name="paramName">The parameter the options came in, for the exception.</param>
    /// <returns>The key with its one accepted algorithm.</returns>
    public static AcceptedKey LoadVerificationKey(HeraldJwtOptions options, string optionPath, string paramName)
    {
        (SecurityKey key, JwtAlgorithm algorithm) = LoadKey(options, needPrivateKey: false, optionPath, paramName);
        return new AcceptedKey(key, [algorithm.Name]);
    }

    /// <summary>Builds the credentials to sign tokens with; asymmetric algorithms need a private key.</summary>
    /// <param name="options">The options; <see cref="HeraldJwtOptions.Key"/> must be set.</param>
    /// <param name="optionPath">The options' name in messages.</param>
    /// <param name="paramName">The parameter the options came in, for the exception.</param>
    /// <returns>The signing credentials.</returns>
    public static SigningCredentials LoadSigningCredentials(HeraldJwtOptions options, string optionPath, string paramName)
    {
        (SecurityKey key, JwtAlgorithm algorithm) = LoadKey(options, needPrivateKey: true, optionPath, paramName);
        return new SigningCredentials(key, algorithm.Name);
    }

    private static (SecurityKey Key, JwtAlgorithm Algorithm) LoadKey(HeraldJwtOptions options, bool needPrivateKey, string optionPath, string paramName)
    {
        JwtAlgorithm algorithm = ResolveAlgorithm(options, optionPath, paramName);
        SecurityKey key = algorithm.KeyKind switch
        {
            JwtKeyKind.Hmac => CreateHmacKey(options.Key!, algorithm, optionPath, paramName),
            JwtKeyKind.Rsa => new RsaSecurityKey(ImportRsa(options.Key!, algorithm, needPrivateKey, optionPath, paramName)),
            _ => new ECDsaSecurityKey(ImportEcdsa(options.Key!, algorithm, needPrivateKey, optionPath, paramName)),
        };
        return (key, algorithm);
    }

    private static JwtAlgorithm ResolveAlgorithm(HeraldJwtOptions options, string optionPath, string paramName) =>
        JwtAlgorithm.Find(options.Algorithm, StringComparison.OrdinalIgnoreCase)
        ?? throw new ArgumentException(
            $"{optionPath}.Algorithm '{options.Algorithm}' is not supported; use one of {JwtAlgorithm.AllNames}.", paramName);

    private static SymmetricSecurityKey CreateHmacKey(string secret, JwtAlgorithm algorithm, string optionPath, string paramName)
    {
        // A PEM here almost always means Algorithm was left at its HS256 default for an RSA or EC
        // key. Accepting it would make the public key an HMAC secret: anyone holding the public
        // key could mint tokens, which is exactly the algorithm-confusion attack.
        if (secret.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"{optionPath}.Key holds a PEM key, but {optionPath}.Algorithm is {algorithm.Name}, which takes a shared secret; " +
                $"set {optionPath}.Algorithm to the key's algorithm (such as RS256 or ES256).", paramName);
        }

        byte[] bytes = Encoding.UTF8.GetBytes(secret);
        if (bytes.Length < algorithm.MinimumHmacKeyBytes)
        {
            throw new ArgumentException(
                $"{optionPath}.Key is {bytes.Length} bytes long, but {algorithm.Name} needs a secret of at least " +
                $"{algorithm.MinimumHmacKeyBytes} bytes ({algorithm.HashBits} bits); use a longer random secret.", paramName);
        }

        return new SymmetricSecurityKey(bytes);
    }

    private static RSA ImportRsa(string pem, JwtAlgorithm algorithm, bool needPrivateKey, string optionPath, string paramName)
    {
        RSA rsa = ImportPem(RSA.Create(), "RSA", pem, algorithm, needPrivateKey, optionPath, paramName);
        int minimumBits = needPrivateKey ? JwtAlgorithm.MinimumRsaSigningKeyBits : JwtAlgorithm.MinimumRsaVerifyingKeyBits;
        if (rsa.KeySize < minimumBits)
        {
            int size = rsa.KeySize;
            rsa.Dispose();
            throw new ArgumentException(
                $"{optionPath}.Key is a {size}-bit RSA key; {algorithm.Name} needs at least {minimumBits} bits.", paramName);
        }

        return rsa;
    }

    private static ECDsa ImportEcdsa(string pem, JwtAlgorithm algorithm, bool needPrivateKey, string optionPath, string paramName)
    {
        ECDsa ecdsa = ImportPem(ECDsa.Create(), "EC", pem, algorithm, needPrivateKey, optionPath, paramName);
        if (!algorithm.IsOnCurve(ecdsa))
        {
            int size = ecdsa.KeySize;
            ecdsa.Dispose();
            throw new ArgumentException(
                $"{optionPath}.Key is a {size}-bit EC key, but {algorithm.Name} needs a key on {algorithm.JwkCurve}.", paramName);
        }

        return ecdsa;
    }

    /// <summary>Reads a PEM key into <paramref name="key"/>, disposing it and naming the option
    /// when the PEM is unreadable or, for signing, holds no private key.</summary>
    private static T ImportPem<T>(T key, string kind, string pem, JwtAlgorithm algorithm, bool needPrivateKey, string optionPath, string paramName)
        where T : AsymmetricAlgorithm
    {
        try
        {
            key.ImportFromPem(pem);
            if (needPrivateKey)
            {
                // Throws when the PEM held only the public key.
                _ = key.ExportPkcs8PrivateKey();
            }

            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new ArgumentException(
                $"{optionPath}.Key is not a readable PEM {kind} {(needPrivateKey ? "private" : "public")} key, which {algorithm.Name} needs: {e.Message}",
                paramName, e);
        }
    }
}
