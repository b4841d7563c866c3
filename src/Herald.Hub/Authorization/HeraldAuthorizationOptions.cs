namespace Herald.Hub.Authorization;

/// <summary>
/// Settings of JWT authorization, bindable from configuration. Publishers and subscribers have
/// separate keys, as in Mercure, so a subscriber's token never grants publishing.
/// </summary>
public sealed class HeraldAuthorizationOptions
{
    /// <summary>The keys publishers' tokens must be signed with.</summary>
    public HeraldJwtOptions Publisher { get; set; } = new();

    /// <summary>The keys subscribers' tokens must be signed with.</summary>
    public HeraldJwtOptions Subscriber { get; set; } = new();

    /// <summary>
    /// How far past <c>exp</c> (or before <c>nbf</c>) a token is still accepted, for clocks that
    /// disagree. Zero by default: Mercure tokens are often short-lived and minted by the same
    /// operator, so any slack is an explicit choice.
    /// </summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.Zero;

    /// <summary>The name of the cookie that may carry the token (Mercure's default, <c>mercureAuthorization</c>).</summary>
    public string CookieName { get; set; } = "mercureAuthorization";

    /// <summary>The name of the query parameter that may carry the token (<c>authorization</c>).</summary>
    public string QueryParameterName { get; set; } = "authorization";

    /// <summary>
    /// The origins (<c>scheme://host[:port]</c>, or <c>*</c> for any) allowed to make a
    /// state-changing request, such as a publish <c>POST</c>, authorized by the cookie. A browser
    /// sends the cookie with cross-site requests too, so without this check any page could publish
    /// in the name of a logged-in user (CSRF). Empty by default: such requests must then use the
    /// header. Requests that only read (<c>GET</c>, <c>HEAD</c>) need no origin.
    /// </summary>
    public IList<string> PublishOrigins { get; } = new List<string>();
}
