namespace Herald.Hub.Authorization;

/// <summary>Where in the request the token that was used came from.</summary>
public enum TokenSource
{
    /// <summary>The request carried no token.</summary>
    None,

    /// <summary>An <c>Authorization: Bearer</c> header.</summary>
    AuthorizationHeader,

    /// <summary>The <c>authorization</c> query parameter (for clients, such as EventSource, that cannot set headers).</summary>
    QueryParameter,

    /// <summary>The authorization cookie.</summary>
    Cookie,
}
