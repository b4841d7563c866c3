namespace Herald.Hub.Delivery;

/// <summary>
/// What the hub does when a subscriber's queue is full because it reads more slowly than updates
/// arrive. Until the queue is full every policy delivers every update; they differ only in what
/// gives way then.
/// </summary>
public enum SlowConsumerPolicy
{
    /// <summary>
    /// The subscriber is disconnected and loses nothing: its client reconnects with
    /// <c>Last-Event-ID</c> and the history replays what it missed. The default, and the only policy
    /// that never loses an update the history still holds.
    /// </summary>
    Disconnect,

    /// <summary>
    /// The oldest queued updates are dropped to make room and the subscriber stays connected.
    /// Before the next update written it gets <c>event: herald-reset</c> whose JSON says how many
    /// updates it missed and the first and last missed ids (still in the history, so the client may
    /// fetch them). Updates are never written out of order.
    /// </summary>
    DropOldest,

    /// <summary>
    /// Conflation, for topics that carry state (prices, statuses): older queued updates of a topic
    /// that has a newer one queued are dropped, so the subscriber gets the newest value of each
    /// topic in log order. A token stream's events are never conflated. When conflation frees no
    /// room (every queued update is the newest of its topic), the oldest is dropped as with
    /// <see cref="DropOldest"/>, <c>herald-reset</c> included.
    /// </summary>
    Latest,
}
