using System.Text.Json;
using Herald.Testing;
using Microsoft.Playwright;

namespace Herald.Hub.Tests.Browser;

/// <summary>
/// A real browser's <c>EventSource</c>, on the hub's origin, against the hub on Kestrel: what
/// arrives is what Chromium dispatches, not what a .NET parser thinks it should.
/// </summary>
[Collection(UsesChromium.Name)]
public sealed class BrowserEventSourceTests(ChromiumFixture chromium)
{
    private const string Book = "https://example.com/books/1";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Chromium_receives_plain_multi_line_and_custom_id_updates()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        IPage page = await OpenAsync(host, [Book]);
        const string multiLine = "first\n\n  indented after an empty line\nlast";

        string generated = await host.PublishAsync(Book, "plain");
        await host.PublishAsync(Book, multiLine);
        await host.PublishAsync(Book, "custom", id: "book-1-rev-2");
        List<Received> received = await ReceivedAsync(page, 3);

        Assert.Equal(new Received("plain", generated), received[0]);
        Assert.Equal(new Received(multiLine, received[1].LastEventId), received[1]);
        Assert.Equal(new Received("custom", "book-1-rev-2"), received[2]);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Chromium_receives_through_alternate_topics_and_uri_templates_but_never_unmatched_or_private_updates()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        IPage page = await OpenAsync(host, ["https://example.com/shelves/7", "https://example.com/authors/{id}"]);

        await host.PublishAsync("https://example.com/unrelated", "unmatched");
        await host.PublishAsync("https://example.com/authors/3", "private", isPrivate: true);
        await host.PublishAsync(Book, "via alternate", alternates: "https://example.com/shelves/7");
        await host.PublishAsync("https://example.com/authors/3", "via template");
        List<Received> received = await ReceivedAsync(page, 2);

        Assert.Equal(["via alternate", "via template"], received.Select(r => r.Data));
        // Nothing else was dispatched after them either.
        await host.PublishAsync("https://example.com/authors/4", "marker");
        Assert.Equal("marker", (await ReceivedAsync(page, 3))[2].Data);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Chromium_with_the_authorization_cookie_receives_the_private_updates_its_token_allows()
    {
        await using HubHost host = await HubHost.StartAsync();
        IBrowserContext context = await chromium.Browser.NewContextAsync();
        await context.AddCookiesAsync([new Cookie
        {
            Name = "mercureAuthorization",
            Value = TestTokens.Subscriber(["https://example.com/books/{id}"]),
            Domain = host.BaseAddress.Host,
            Path = "/.well-known/mercure",
            HttpOnly = true,
        }]);
        IPage page = await context.NewPageAsync();
        await OpenAsync(host, page, ["*"]);

        await host.PublishAsync("https://example.com/authors/1", "private elsewhere", isPrivate: true);
        await host.PublishAsync(Book, "private allowed", isPrivate: true);
        await host.PublishAsync(Book, "public");

        Assert.Equal(["private allowed", "public"], (await ReceivedAsync(page, 2)).Select(r => r.Data));
        await context.CloseAsync();
    }

    [Fact]
    public async Task Chromium_reconnects_with_its_last_event_id_and_gets_exactly_what_it_missed()
    {
        await using HubHost host = await HubHost.StartAsync(o =>
        {
            o.AllowAnonymous = true;
            o.MaxSubscriptionLifetime = TimeSpan.FromSeconds(1);
        });
        IPage page = await OpenAsync(host, [Book]);
        await host.PublishAsync(Book, "before");
        await ReceivedAsync(page, 1);

        // The hub ends the subscription at its lifetime; what is published meanwhile is replayed
        // when the browser comes back with Last-Event-ID.
        await Bounded.UntilAsync(() => host.Hub.SubscriberCount == 0, "the lifetime ends the subscription");
        await host.PublishAsync(Book, "missed 1");
        await host.PublishAsync(Book, "missed 2");

        Assert.Equal(["before", "missed 1", "missed 2"], (await ReceivedAsync(page, 3)).Select(r => r.Data));
        await page.Context.CloseAsync();
    }

    private async Task<IPage> OpenAsync(HubHost host, string[] selectors)
    {
        IPage page = await chromium.NewPageAsync();
        await OpenAsync(host, page, selectors);
        return page;
    }

    /// <summary>Opens the hub's blank page and an EventSource in it; resolves once it is open.</summary>
    private static async Task OpenAsync(HubHost host, IPage page, string[] selectors)
    {
        await page.GotoAsync(new Uri(host.BaseAddress, "/blank").ToString());
        await page.EvaluateAsync(
            """
            url => new Promise((resolve, reject) => {
              window.received = [];
              const source = new EventSource(url, { withCredentials: true });
              source.onmessage = e => window.received.push({ data: e.data, lastEventId: e.lastEventId });
              source.onopen = () => resolve();
              setTimeout(() => reject(new Error('EventSource did not open')), 10000);
            })
            """,
            host.SubscribeUrl(selectors));
    }

    private static async Task<List<Received>> ReceivedAsync(IPage page, int count)
    {
        await page.WaitForFunctionAsync("n => window.received.length >= n", count);
        string json = await page.EvaluateAsync<string>("() => JSON.stringify(window.received)");
        return JsonSerializer.Deserialize<List<Received>>(json, Json)!;
    }

    private sealed record Received(string Data, string LastEventId);
}
