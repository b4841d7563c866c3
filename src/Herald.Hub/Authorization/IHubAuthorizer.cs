using Microsoft.AspNetCore.Http;

namespace Herald.Hub.Authorization;

/// <summary>
/// Turns the credentials of a request into the rights of its bearer. Kept to one method so that
/// another token dialect (for example draft-08 <c>authorization_details</c>) can be a second
/// implementation without touching the endpoints.
/// </summary>
public interface IHubAuthorizer
{
    /// <summary>Finds the token the request presents, if any, and validates it for a role.</summary>
    /// <param name="request">The incoming request; only its headers, query and cookies are read.</param>
    /// <param name="role">The role the request acts in; it selects the keys the token must be signed with.</param>
    /// <param name="cancellationToken">Cancels the authorization.</param>
    /// <returns>Anonymous, authorized with claims, or invalid with a message safe to send to the client.</returns>
    ValueTask<HubAuthorizationResult> AuthorizeAsync(HttpRequest request, HubRole role, CancellationToken cancellationToken);
}
