using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Herald.Hub.Authorization;

/// <summary>
/// Validates tokens for one role against that role's keys, which are built once, here. Holds the
/// <see cref="TokenValidationParameters"/> for the role's lifetime; IdentityModel only reads them,
/// so one instance serves concurrent requests.
/// </summary>
internal sealed class HubTokenValidator
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters? _parameters;
    private readonly Dictionary<SecurityKey, IReadOnlyList<string>> _algorithmsByKey = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> _algorithms = new(StringComparer.Ordinal);
    private readonly string _noKeyError;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _clockSkew;

    /// <summary>Builds the role's keys.</summary>
    /// <param name="options">The role's key options.</param>
    /// <param name="optionPath">The options' name in messages: <c>Publisher</c> or <c>Subscriber</c>.</param>
    /// <param name="roleNoun">The role's bearers in messages: <c>publishers</c> or <c>subscribers</c>.</param>
    /// <param name="clockSkew">Tolerance on <c>exp</c> and <c>nbf</c>.</param>
    /// <param name="timeProvider">The clock <c>exp</c> and <c>nbf</c> are checked against.</param>
    /// <exception cref="ArgumentException">A key is unusable; the message names the option.</exception>
    public HubTokenValidator(HeraldJwtOptions options, string optionPath, string roleNoun, TimeSpan clockSkew, TimeProvider timeProvider)
    {
        _noKeyError = $"no key configured for {roleNoun}";
        _timeProvider = timeProvider;
        _clockSkew = clockSkew;

        var keys = new List<AcceptedKey>();
        if (!string.IsNullOrEmpty(options.Key))
        {
            keys.Add(OptionKeyLoader.LoadVerificationKey(options, optionPath, nameof(options)));
        }

        if (!string.IsNullOrEmpty(options.JwksFile))
        {
            keys.AddRange(JwksKeyLoader.Load(options.JwksFile, optionPath, nameof(options)));
        }

        if (keys.Count == 0)
        {
            return;
        }

        foreach (AcceptedKey key in keys)
        {
            _algorithmsByKey.Add(key.Key, key.Algorithms);
            _algorithms.UnionWith(key.Algorithms);
        }

        _parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = [.. keys.Select(k => k.Key)],
            // The union of what the keys accept. IdentityModel consults AlgorithmValidator instead
            // when it is set; that narrows each key to its own algorithms, so a token naming HS512
            // is never checked against a key pinned to HS256 even when another key allows HS512.
            ValidAlgorithms = [.. _algorithms],
            AlgorithmValidator = IsAllowed,
            RequireSignedTokens = true,
            // Mercure tokens rarely carry an issuer or audience, and the hub has no identity of its own to check them against.
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = true,
            // A token without exp is valid forever, as in Mercure; exp and nbf are enforced when present.
            RequireExpirationTime = false,
            ClockSkew = clockSkew,
            // IdentityModel 8 reads the system clock; this checks against the injected one instead.
            LifetimeValidator = CheckLifetime,
        };
    }

    /// <summary>Validates a token and reads its claims.</summary>
    /// <param name="token">The compact JWS.</param>
    /// <param name="source">Where it came from, carried into the result.</param>
    /// <returns>Authorized with claims, or invalid with a message that never contains the token.</returns>
    public async ValueTask<HubAuthorizationResult> ValidateAsync(string token, TokenSource source)
    {
        if (_parameters is null)
        {
            return HubAuthorizationResult.Failure(_noKeyError, source);
        }

        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            // SecurityTokenMalformedException is one too.
            return HubAuthorizationResult.Failure("the token is not a well-formed JWS", source);
        }

        if (jwt.IsEncrypted)
        {
            return HubAuthorizationResult.Failure("encrypted tokens (JWE) are not supported", source);
        }

        // Said plainly, rather than left to the generic signature failure: "alg": "none" is the
        // classic forgery, and the client deserves to know it is refused on purpose.
        if (jwt.EncodedSignature.Length == 0 || string.Equals(jwt.Alg, "none", StringComparison.OrdinalIgnoreCase))
        {
            return HubAuthorizationResult.Failure("the token is not signed", source);
        }

        // No key takes this algorithm. IdentityModel would refuse it too (AlgorithmValidator), but
        // report it as a failed key search; checking first gives the client the real reason.
        if (!_algorithms.Contains(jwt.Alg))
        {
            return HubAuthorizationResult.Failure("the token's signing algorithm is not accepted", source);
        }

        TokenValidationResult result = await _handler.ValidateTokenAsync(jwt, _parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return HubAuthorizationResult.Failure(Describe(result.Exception), source);
        }

        HubClaims? claims = MercureClaimsReader.Read(jwt, out string? error);
        return claims is null
            ? HubAuthorizationResult.Failure(error!, source)
            : HubAuthorizationResult.Success(claims, source);
    }

    private bool IsAllowed(string algorithm, SecurityKey key, SecurityToken token, TokenValidationParameters parameters) =>
        _algorithmsByKey.TryGetValue(key, out IReadOnlyList<string>? algorithms) && algorithms.Contains(algorithm, StringComparer.Ordinal);

    /// <summary>
    /// Checks <c>nbf</c> and <c>exp</c>, each only when present, against the injected clock. It
    /// throws the exceptions IdentityModel's own check throws, which end up in the validation result.
    /// </summary>
    private bool CheckLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        DateTime now = _timeProvider.GetUtcNow().UtcDateTime;
        if (notBefore is { } nbf && now + _clockSkew < nbf)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = nbf };
        }

        if (expires is { } exp && now - _clockSkew >= exp)
        {
            throw new SecurityTokenExpiredException("The token has expired.") { Expires = exp };
        }

        return true;
    }

    /// <summary>
    /// Turns IdentityModel's failure into a fixed sentence. Its own messages are for logs: they
    /// carry error codes and, with PII logging on, parts of the token.
    /// </summary>
    private static string Describe(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "the token has expired",
        SecurityTokenNotYetValidException => "the token is not valid yet",
        SecurityTokenInvalidLifetimeException => "the token's lifetime is invalid",
        SecurityTokenInvalidAlgorithmException => "the token's signing algorithm is not accepted",
        SecurityTokenInvalidSignatureException => "the token's signature is invalid",
        SecurityTokenMalformedException or SecurityTokenArgumentException => "the token is not a well-formed JWS",
        _ => "the token is invalid",
    };
}
