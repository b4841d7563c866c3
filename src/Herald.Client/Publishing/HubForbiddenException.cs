using System.Net;

namespace Herald.Client.Publishing;

/// <summary>The hub answered 403: the token is valid but its <c>mercure.publish</c> claim does not allow one of the topics, or a topic is in a namespace the hub reserves for itself.</summary>
/// <param name="hubMessage">The text of the hub's answer, which says what was wrong.</param>
public sealed class HubForbiddenException(string hubMessage) : HubPublishException(HttpStatusCode.Forbidden, hubMessage);
