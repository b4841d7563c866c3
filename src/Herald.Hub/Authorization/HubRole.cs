namespace Herald.Hub.Authorization;

/// <summary>
/// The side of the hub a request acts on. Each role has its own keys, so a token minted for
/// subscribers cannot be used to publish.
/// </summary>
public enum HubRole
{
    /// <summary>A client posting updates to the hub.</summary>
    Publisher,

    /// <summary>A client receiving updates (or reading the subscriptions API).</summary>
    Subscriber,
}
