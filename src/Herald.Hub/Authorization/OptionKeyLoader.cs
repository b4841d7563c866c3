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
        JwtAlgorithm algorithm = ResolveAlgorithm(options, optionPath, paramName);
        SecurityKey key = algorithm.KeyKind switch
        {
            JwtKeyKind.Hmac => CreateHmacKey(options.Key!, algorithm, optionPath, paramName),
            JwtKeyKind.Rsa => new RsaSecurityKey(ImportRsa(options.Key!, algorithm, needPrivateKey: false, optionPath, paramName)),
            _ => new ECDsaSecurityKey(ImportEcdsa(options.Key!, algorithm, needPrivateKey: false, optionPath, paramName)),
        };
        return new AcceptedKey(key, [algorithm.Name]);
    }

    /// <summary>Builds the credentials to sign tokens with; asymmetric algorithms need a private key.</summary>
    /// <param name="options">The options; <see cref="HeraldJwtOptions.Key"/> must be set.</param>
    /// <param name="optionPath">The options' name in messages.</param>
    /// <param name="paramName">The parameter the options came in, for the exception.</param>
    /// <returns>The signing credentials.</returns>
    public static SigningCredentials LoadSigningCredentials(HeraldJwtOptions options, string optionPath, string paramName)
    {
        JwtAlgorithm algorithm = ResolveAlgorithm(options, optionPath, paramName);
        SecurityKey key = algorithm.KeyKind switch
        {
            JwtKeyKind.Hmac => CreateHmacKey(options.Key!, algorithm, optionPath, paramName),
            JwtKeyKind.Rsa => new RsaSecurityKey(ImportRsa(options.Key!, algorithm, needPrivateKey: true, optionPath, paramName)),
            _ => new ECDsaSecurityKey(ImportEcdsa(options.Key!, algorithm, needPrivateKey: true, optionPath, paramName)),
        };
        return new SigningCredentials(key, algorithm.Name);
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
        RSA rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            if (needPrivateKey)
            {
                // Throws when the PEM held only the public key.
                _ = rsa.ExportParameters(includePrivateParameters: true);
            }
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            throw new ArgumentException(
                $"{optionPath}.Key is not a readable PEM RSA {(needPrivateKey ? "private" : "public")} key, which {algorithm.Name} needs: {e.Message}",
                paramName, e);
        }

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
        ECDsa ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            if (needPrivateKey)
            {
                _ = ecdsa.ExportParameters(includePrivateParameters: true);
            }
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            ecdsa.Dispose();
            throw new ArgumentException(
                $"{optionPath}.Key is not a readable PEM EC {(needPrivateKey ? "private" : "public")} key, which {algorithm.Name} needs: {e.Message}",
                paramName, e);
        }

        if (!algorithm.IsOnCurve(ecdsa))
        {
            int size = ecdsa.KeySize;
            ecdsa.Dispose();
            throw new ArgumentException(
                $"{optionPath}.Key is a {size}-bit EC key, but {algorithm.Name} needs a key on {algorithm.JwkCurve}.", paramName);
        }

        return ecdsa;
    }
}
