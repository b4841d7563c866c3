using System.Net;

namespace Herald.Client.Publishing;

/// <summary>The hub answered 400: the update is malformed, for example a field the hub refuses. Retrying it unchanged fails again.</summary>
/// <param name="hubMessage">The text of the hub's answer, which says what was wrong.</param>
public sealed class HubBadRequestException(string hubMessage) : HubPublishException(HttpStatusCode.BadRequest, hubMessage);
