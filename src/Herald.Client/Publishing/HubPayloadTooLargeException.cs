using System.Net;

namespace Herald.Client.Publishing;

/// <summary>The hub answered 413: the update is larger than the hub accepts.</summary>
/// <param name="hubMessage">The text of the hub's answer, which says what was wrong.</param>
public sealed class HubPayloadTooLargeException(string hubMessage) : HubPublishException(HttpStatusCode.RequestEntityTooLarge, hubMessage);
