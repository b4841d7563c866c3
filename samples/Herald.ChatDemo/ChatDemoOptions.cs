namespace Herald.ChatDemo;

/// <summary>The demo's own settings, bound from the <c>ChatDemo</c> configuration section
/// (<c>--ChatDemo:TokensPerSecond=5</c>, or <c>ChatDemo__TokensPerSecond=5</c> in the environment).</summary>
internal sealed class ChatDemoOptions
{
    public const string SectionName = "ChatDemo";

    /// <summary>Where the app listens when no <c>--urls</c> (or <c>ASPNETCORE_URLS</c>) is given: loopback only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5180";

    /// <summary>How fast the fake model "generates"; 0 for as fast as the hub takes them.</summary>
    public double TokensPerSecond { get; set; } = 25;

    /// <summary>The longest prompt accepted, in characters, after cleaning.</summary>
    public int MaxPromptLength { get; set; } = 2_000;

    /// <summary>How long the reader token in the page's cookie is valid; each page load and each
    /// Send mints a fresh one.</summary>
    public TimeSpan ReaderTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Origins (<c>scheme://host:port</c>) the page may be opened at besides the addresses
    /// the app listens on (and their <c>localhost</c> form): only pages from these may Stop a
    /// stream with the cookie. Needed behind a proxy or when listening on all interfaces.</summary>
    public IList<string> Origins { get; } = [];
}
