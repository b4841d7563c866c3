using System.Net;
using Herald.Client.Publishing;

namespace Herald.Client.Streams;

/// <summary>
/// The hub answered 409: the stream id is active or still in the hub's history. Stream ids are
/// single use; open the stream again under a new id (a UUID).
/// </summary>
/// <param name="hubMessage">The text of the hub's answer, which says what was wrong.</param>
public sealed class HubConflictException(string hubMessage) : HubPublishException(HttpStatusCode.Conflict, hubMessage);
