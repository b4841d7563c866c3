namespace Herald.Hub.Authorization;

/// <summary>The credential found in a request: a token, an error about it, or nothing.</summary>
/// <param name="Token">The token; set when <paramref name="Error"/> is not.</param>
/// <param name="Source">Where it was found; <see cref="TokenSource.None"/> when the request carries none.</param>
/// <param name="Error">Why the credential is refused before its token is even read.</param>
internal readonly record struct PresentedToken(string? Token, TokenSource Source, string? Error)
{
    /// <summary>No credential at all.</summary>
    public static PresentedToken None => default;
}
