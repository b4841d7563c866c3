using System.CommandLine;

namespace Herald.Server.Commands;

/// <summary>
/// <c>herald token</c>: prints a Mercure JWT signed with a key, with the publish and subscribe
/// rights asked for. Only the token goes to stdout, so <c>TOKEN=$(herald token ...)</c> works.
/// </summary>
internal static class TokenCommand
{
    /// <summary>Exit code when the key, its file or the algorithm cannot sign a token.</summary>
    public const int UnusableKey = 1;

    public static Command Create()
    {
        var key = new Option<string>("--key") { Description = "The signing key: an HMAC secret, or a PEM private key for RS*/PS*/ES*. '@FILE' reads it from FILE.", Required = true };
        var algorithm = new Option<string>("--algorithm") { Description = "The JWT algorithm: HS256 (default), HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384 or ES512.", DefaultValueFactory = _ => "HS256" };
        var publish = new Option<string[]>("--publish") { Description = "A topic selector the bearer may publish to (repeatable; '*' for all)." };
        var subscribe = new Option<string[]>("--subscribe") { Description = "A topic selector whose private updates the bearer may receive (repeatable; '*' for all)." };
        var expires = new Option<string>("--exp") { Description = "How long the token is valid: 30s, 15m, 1h, 7d, ... or 'never' for no exp claim.", DefaultValueFactory = _ => "1h" };
        expires.Validators.Add(result =>
        {
            string? text = result.GetValueOrDefault<string>();
            if (!TokenLifetime.TryParse(text, out _))
            {
                result.AddError($"--exp must be {TokenLifetime.Formats}; got '{text}'.");
            }
        });

        var command = new Command("token", """
            Print a Mercure JWT signed with --key, with a mercure.publish and mercure.subscribe claim for the selectors given.
            Exit codes: 0 printed, 1 the key cannot sign (too short, unreadable file, wrong algorithm).
            """)
        {
            key, algorithm, publish, subscribe, expires,
        };
        command.SetAction((result, _) =>
        {
            TimeSpan? lifetime = TokenLifetime.Parse(result.GetValue(expires));
            return RunAsync(
                result.GetValue(key)!,
                result.GetValue(algorithm)!,
                NullWhenEmpty(result.GetValue(publish)),
                NullWhenEmpty(result.GetValue(subscribe)),
                lifetime is { } span ? DateTimeOffset.UtcNow + span : null,
                Console.Out,
                Console.Error);
        });
        return command;
    }

    /// <summary>Runs the command with explicit writers, so tests can drive it in-process.</summary>
    /// <param name="key">The key, or <c>@FILE</c>.</param>
    /// <param name="algorithm">The algorithm.</param>
    /// <param name="publish">The publish selectors; <see langword="null"/> leaves the claim out.</param>
    /// <param name="subscribe">The subscribe selectors; <see langword="null"/> leaves the claim out.</param>
    /// <param name="expires">The <c>exp</c>, or <see langword="null"/> for a token that never expires.</param>
    /// <param name="output">Where the token goes, alone on its line.</param>
    /// <param name="error">Where messages for the user go.</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(string key, string algorithm, IReadOnlyList<string>? publish, IReadOnlyList<string>? subscribe, DateTimeOffset? expires, TextWriter output, TextWriter error)
    {
        string token;
        try
        {
            token = TokenSigning.Create(key, algorithm, publish, subscribe, expires);
        }
        catch (Exception exception) when (TokenSigning.IsKeyProblem(exception))
        {
            await error.WriteLineAsync($"herald token: {TokenSigning.Describe(exception)}").ConfigureAwait(false);
            return UnusableKey;
        }

        await output.WriteLineAsync(token).ConfigureAwait(false);
        return 0;
    }

    /// <summary>An option never given leaves its claim out rather than granting an empty list.</summary>
    private static string[]? NullWhenEmpty(string[]? selectors) => selectors is { Length: > 0 } ? selectors : null;
}
