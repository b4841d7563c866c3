using System.Globalization;

namespace Herald.Server.Commands;

/// <summary>Reads how long a token lives, as <c>herald token --exp</c> takes it: <c>30s</c>,
/// <c>15m</c>, <c>1h</c>, <c>7d</c>, or <c>never</c>.</summary>
internal static class TokenLifetime
{
    /// <summary>What the flag accepts, for error messages.</summary>
    public const string Formats = "a whole number followed by s, m, h or d (such as 30s, 15m, 1h or 7d), or 'never'";

    /// <summary>A century: longer is surely a typo, and far enough out that <c>exp</c> cannot overflow.</summary>
    private static readonly TimeSpan Longest = TimeSpan.FromDays(36_525);

    /// <summary>Parses text that <see cref="TryParse"/> accepts (the option's validator has checked it).</summary>
    /// <exception cref="FormatException">The text is not an accepted lifetime.</exception>
    public static TimeSpan? Parse(string? text) =>
        TryParse(text, out TimeSpan? lifetime) ? lifetime : throw new FormatException($"The lifetime must be {Formats}; got '{text}'.");

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <param name="text">The flag's value.</param>
    /// <param name="lifetime">The lifetime, or <see langword="null"/> for <c>never</c> (no <c>exp</c> claim).</param>
    /// <returns>Whether the text is one of the accepted forms, greater than zero and at most a century.</returns>
    public static bool TryParse(string? text, out TimeSpan? lifetime)
    {
        lifetime = null;
        if (string.Equals(text, "never", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (text is not { Length: >= 2 }
            || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long count)
            || count == 0)
        {
            return false;
        }

        double seconds = char.ToLowerInvariant(text[^1]) switch
        {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            _ => 0,
        };

        // Compared as seconds in a double first, so no count is large enough to overflow a TimeSpan.
        if (seconds == 0 || count * seconds > Longest.TotalSeconds)
        {
            return false;
        }

        lifetime = TimeSpan.FromSeconds(count * seconds);
        return true;
    }
}
