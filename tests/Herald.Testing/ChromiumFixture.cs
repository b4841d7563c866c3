using Microsoft.Playwright;

namespace Herald.Testing;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright: one browser per test collection, a fresh
/// context (cookies, storage) per test. Playwright cannot download browsers here, so it is
/// pointed at <c>/usr/bin/chromium</c>, which <c>scripts/test.sh</c> installs.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>No sandbox (tests may run as root), no GPU, and none of the browser's own network
    /// traffic, which this machine's closed network would refuse.</summary>
    private static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: run scripts/test.sh, which installs Debian's chromium.");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Arguments,
            Timeout = 60_000,
        });
    }

    /// <summary>A new page in a new context, so tests share no cookies.</summary>
    public async Task<IPage> NewPageAsync()
    {
        IBrowserContext context = await Browser.NewContextAsync();
        IPage page = await context.NewPageAsync();
        page.SetDefaultTimeout((float)Bounded.DefaultWait.TotalMilliseconds);
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
