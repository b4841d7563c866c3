using System.Diagnostics.CodeAnalysis;

namespace Herald.Hub.Authorization;

/// <summary>The outcome of <see cref="IHubAuthorizer.AuthorizeAsync"/> for one request.</summary>
public sealed class HubAuthorizationResult
{
    private HubAuthorizationResult(HubAuthorizationStatus status, HubClaims? claims, TokenSource tokenSource, string? error)
    {
        Status = status;
        Claims = claims;
        TokenSource = tokenSource;
        Error = error;
    }

    /// <summary>The result for a request that presented no token.</summary>
    public static HubAuthorizationResult Anonymous { get; } = new(HubAuthorizationStatus.Anonymous, null, TokenSource.None, null);

    /// <summary>Whether the request is anonymous, authorized or refused.</summary>
    public HubAuthorizationStatus Status { get; }

    /// <summary>Whether <see cref="Status"/> is <see cref="HubAuthorizationStatus.Authorized"/>, in which case <see cref="Claims"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Claims))]
    public bool IsAuthorized => Status == HubAuthorizationStatus.Authorized;

    /// <summary>The rights the token grants; set only when <see cref="Status"/> is <see cref="HubAuthorizationStatus.Authorized"/>.</summary>
    public HubClaims? Claims { get; }

    /// <summary>Where the token came from; <see cref="TokenSource.None"/> for an anonymous request.</summary>
    public TokenSource TokenSource { get; }

    /// <summary>
    /// Why the request was refused, when <see cref="Status"/> is
    /// <see cref="HubAuthorizationStatus.Invalid"/>. Written to be sent to the client: it never
    /// contains the token or anything read from it.
    /// </summary>
    public string? Error { get; }

    /// <summary>Creates the result for a valid token.</summary>
    /// <param name="claims">The rights the token grants.</param>
    /// <param name="tokenSource">Where the token came from.</param>
    /// <returns>An <see cref="HubAuthorizationStatus.Authorized"/> result.</returns>
    public static HubAuthorizationResult Success(HubClaims claims, TokenSource tokenSource)
    {
        ArgumentNullException.ThrowIfNull(claims);
        return new(HubAuthorizationStatus.Authorized, claims, tokenSource, null);
    }

    /// <summary>Creates the result for a refused request.</summary>
    /// <param name="error">Why, in words safe to send to the client (no token, no secret).</param>
    /// <param name="tokenSource">Where the refused credential came from.</param>
    /// <returns>An <see cref="HubAuthorizationStatus.Invalid"/> result.</returns>
    public static HubAuthorizationResult Failure(string error, TokenSource tokenSource)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        return new(HubAuthorizationStatus.Invalid, null, tokenSource, error);
    }
}
