using Herald.Hub.Authorization;

namespace Herald.Server.Commands;

/// <summary>Mints tokens from a key given on the command line, for <c>herald token</c> and <c>herald publish --key</c>.</summary>
internal static class TokenSigning
{
    /// <summary>Signs a token with <paramref name="key"/> (or, as <c>@FILE</c>, the key in FILE, the
    /// way <c>herald serve --key</c> reads it).</summary>
    /// <exception cref="ArgumentException">The key or algorithm is unusable.</exception>
    /// <exception cref="IOException">The key file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The key file may not be read.</exception>
    public static string Create(string key, string algorithm, IReadOnlyList<string>? publish, IReadOnlyList<string>? subscribe, DateTimeOffset? expires)
    {
        string secret = key.StartsWith('@') ? File.ReadAllText(key[1..]) : key;
        return HubTokenFactory.Create(new HeraldJwtOptions { Key = secret, Algorithm = algorithm }, publish, subscribe, expires: expires);
    }

    /// <summary>Whether <paramref name="exception"/> is one <see cref="Create"/> throws for a bad key or key file.</summary>
    public static bool IsKeyProblem(Exception exception) =>
        exception is ArgumentException or IOException or UnauthorizedAccessException;

    /// <summary>An exception's message for a person: without the "(Parameter 'x')" that
    /// <see cref="ArgumentException"/> appends, which names a C# parameter nobody on the command line sees.</summary>
    public static string Describe(Exception exception) =>
        exception is ArgumentException { ParamName: { } name } argument
            ? argument.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal)
            : exception.Message;
}
