using System.Net;

namespace Herald.Client.Publishing;

/// <summary>The hub answered 401: no token was sent, or the token is invalid or expired.</summary>
/// <param name="hubMessage">The text of the hub's answer, which says what was wrong.</param>
public sealed class HubUnauthorizedException(string hubMessage) : HubPublishException(HttpStatusCode.Unauthorized, hubMessage);
