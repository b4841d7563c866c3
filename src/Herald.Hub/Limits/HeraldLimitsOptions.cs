namespace Herald.Hub.Limits;

/// <summary>
/// Limits on what one client may take of the hub: subscriptions per address, publishes per second
/// per token and per address, and the size of one event. A client past a limit is refused with
/// <c>429 Too Many Requests</c> and <c>Retry-After</c> (or <c>413</c> for an event too large); the
/// others are unaffected. Zero turns a count or rate limit off. A client's address is the
/// connection's remote address (behind a proxy, see ASP.NET Core's forwarded headers), an IPv6
/// address counted with the rest of its /64, since one host commonly holds a whole /64.
/// </summary>
public sealed class HeraldLimitsOptions
{
    /// <summary>The most subscriptions one client address may hold at once; past it, 429. Generous
    /// because a household or office shares one IPv4 address behind NAT; 0 for no limit.</summary>
    public int MaxSubscribersPerIp { get; set; } = 256;

    /// <summary>Publishes per second one publisher may make, sustained, with a burst of twice as
    /// many; past it, 429. A publisher is its token's <c>sub</c>, or the token itself when it has
    /// none. Opening a token stream counts as one publish, whatever the stream then carries. 0 for
    /// no limit.</summary>
    public int PublishesPerSecondPerToken { get; set; } = 1_000;

    /// <summary>Publishes per second one client address may make, whatever tokens it presents,
    /// with a burst of twice as many; checked before the token, so it also bounds what refused
    /// tokens cost. 0 for no limit.</summary>
    public int PublishesPerSecondPerIp { get; set; } = 5_000;

    /// <summary>The largest event in bytes (UTF-8): the data of a publish (past it, 413) and each
    /// event of a token stream (past it, the stream ends as an error). An event is never larger
    /// than <see cref="HeraldOptions.MaxPublishBodySize"/> either.</summary>
    public long MaxEventSize { get; set; } = 1024 * 1024;
}
