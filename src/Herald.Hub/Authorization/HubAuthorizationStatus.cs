namespace Herald.Hub.Authorization;

/// <summary>The outcome of authorizing one request.</summary>
public enum HubAuthorizationStatus
{
    /// <summary>No token was presented. Whether that is allowed is the endpoint's call.</summary>
    Anonymous,

    /// <summary>A token was presented and is valid; its claims are available.</summary>
    Authorized,

    /// <summary>A token was presented (or a credential was malformed) and is refused.</summary>
    Invalid,
}
