using System.Text.Json;

namespace Herald.Hub.Authorization;

/// <summary>
/// What a valid token grants: the <c>mercure</c> claim's topic selectors and payload, plus the
/// registered claims the hub uses.
/// </summary>
public sealed class HubClaims
{
    /// <summary>
    /// The topic selectors the bearer may publish to; <see langword="null"/> when the token has no
    /// <c>publish</c> member, empty when it has an empty one (public updates only).
    /// </summary>
    public IReadOnlyList<string>? Publish { get; init; }

    /// <summary>
    /// The topic selectors whose private updates the bearer may receive; <see langword="null"/>
    /// when the token has no <c>subscribe</c> member, empty when it has an empty one.
    /// </summary>
    public IReadOnlyList<string>? Subscribe { get; init; }

    /// <summary>
    /// The <c>payload</c> member, any JSON, echoed in subscription events. It is a clone, so it
    /// outlives the token it was read from; <see langword="null"/> when absent or JSON null.
    /// </summary>
    public JsonElement? Payload { get; init; }

    /// <summary>When the token expires (its <c>exp</c>); <see langword="null"/> for a token without one.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The token's <c>sub</c>, if any.</summary>
    public string? Subject { get; init; }
}
