namespace Herald.Server.Commands;

/// <summary>What <c>herald publish</c> was asked to do, as parsed from its flags.</summary>
/// <param name="HubUrl">The hub's URL.</param>
/// <param name="Topics">The canonical topic, then the alternates.</param>
/// <param name="Data">The data, <c>-</c> for standard input, or <see langword="null"/> for none.</param>
/// <param name="Id">The event id, if any.</param>
/// <param name="Type">The event type, if any.</param>
/// <param name="Retry">The reconnection time in milliseconds, if any.</param>
/// <param name="IsPrivate">Whether the update is private.</param>
/// <param name="Token">A ready token, if given.</param>
/// <param name="Key">A key to sign a publisher token with, if given instead.</param>
/// <param name="Algorithm">The key's algorithm.</param>
/// <param name="Retries">How many times a failed attempt may be retried.</param>
internal sealed record PublishArguments(
    Uri HubUrl,
    IReadOnlyList<string> Topics,
    string? Data,
    string? Id = null,
    string? Type = null,
    long? Retry = null,
    bool IsPrivate = false,
    string? Token = null,
    string? Key = null,
    string Algorithm = "HS256",
    int Retries = 3);
