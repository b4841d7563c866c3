using Herald.Testing;
using Microsoft.Playwright;

namespace Herald.Server.Tests.Web;

[CollectionDefinition(Name)]
public sealed class UsesChromium : ICollectionFixture<ChromiumFixture>
{
    public const string Name = "browser";
}

/// <summary>The page <c>herald serve --dev</c> serves at <c>/</c>, driven in Chromium.</summary>
[Collection(UsesChromium.Name)]
public sealed class HubPageTests(ChromiumFixture chromium)
{
    [Fact]
    public async Task The_page_subscribes_publishes_with_the_dev_token_and_shows_the_event_live()
    {
        using var directory = new TempDirectory();
        await using HeraldProcess herald = HeraldProcess.Start("serve", "--data-dir", directory.Path, "--dev", "--port", "0");
        string hubUrl = await herald.WaitForHubUrlAsync();
        IPage page = await chromium.NewPageAsync();
        await page.GotoAsync(hubUrl.Replace("/.well-known/mercure", "/", StringComparison.Ordinal));

        Assert.NotEmpty(await page.InputValueAsync("#publish-token"));
        await page.FillAsync("#subscribe-topics", "https://example.com/books/{id}");
        await page.ClickAsync("#subscribe");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("open");

        const string data = "line one\n\n  indented";
        await page.FillAsync("#publish-topics", "https://example.com/books/42");
        await page.FillAsync("#publish-data", data);
        await page.ClickAsync("#publish");
        await Assertions.Expect(page.Locator("#publish-result")).ToHaveAttributeAsync("data-ok", "true");
        string id = await page.TextContentAsync("#publish-result") ?? "";

        ILocator received = page.Locator($"#events .event[data-id=\"{id}\"] pre.event-data");
        await Assertions.Expect(received).ToHaveCountAsync(1);
        Assert.Equal(data, await received.TextContentAsync());
        await page.Context.CloseAsync();
    }
}
