using System.Net;
using Herald.Sse;
using Herald.Testing;

namespace Herald.Hub.Tests.Http;

public sealed class SubscribeEndpointTests
{
    private const string Book = "https://example.com/books/1";

    [Fact]
    public async Task The_stream_opens_at_once_with_the_headers_proxies_need()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        await using SseTestClient subscriber = await host.SubscribeAsync([Book]);

        HttpResponseMessage response = subscriber.Response;
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("private, no-cache, no-store, must-revalidate, max-age=0", response.Headers.NonValidated["Cache-Control"].ToString());
        Assert.Equal("no", response.Headers.GetValues("X-Accel-Buffering").Single());
        // Nothing was published: the comment that flushed the headers is what arrives.
        Assert.True((await subscriber.NextItemAsync()).IsComment);
    }

    [Fact]
    public async Task Every_event_carries_its_id_type_retry_and_data_exactly()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        await using SseTestClient subscriber = await host.SubscribeAsync([Book]);
        const string data = "first line\n\n  indented after an empty line\n last";

        using HttpResponseMessage response = await host.PostAsync(
            [new("topic", Book), new("data", data), new("id", "rev-1"), new("type", "book.updated"), new("retry", "2500")]);
        string generated = await host.PublishAsync(Book, "plain");

        SseItem first = await subscriber.NextEventAsync();
        SseItem second = await subscriber.NextEventAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SseItem.ForEvent("book.updated", data, "rev-1", 2500), first);
        Assert.Equal(SseItem.ForEvent(null, "plain", generated), second);
    }

    [Fact]
    public async Task Selectors_match_exact_topics_templates_alternates_and_everything()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        await using SseTestClient exact = await host.SubscribeAsync([Book]);
        await using SseTestClient template = await host.SubscribeAsync(["https://example.com/books/{id}"]);
        await using SseTestClient alternate = await host.SubscribeAsync(["https://example.com/shelves/7"]);
        await using SseTestClient everything = await host.SubscribeAsync(["*"]);
        await using SseTestClient twice = await host.SubscribeAsync([Book, "https://example.com/books/{id}", "*"]);

        await host.PublishAsync("https://example.com/authors/1", "unrelated");
        await host.PublishAsync(Book, "book 1", alternates: "https://example.com/shelves/7");
        await host.PublishAsync("https://example.com/books/2", "book 2");

        Assert.Equal(["book 1"], await DataOf(exact, 1));
        Assert.Equal(["book 1", "book 2"], await DataOf(template, 2));
        Assert.Equal(["book 1"], await DataOf(alternate, 1));
        Assert.Equal(["unrelated", "book 1", "book 2"], await DataOf(everything, 3));
        // Matched by three selectors, delivered once each.
        Assert.Equal(["unrelated", "book 1", "book 2"], await DataOf(twice, 3));

        string marker = await host.PublishAsync("https://example.com/shelves/7", "marker");
        Assert.Equal(marker, (await alternate.NextEventAsync()).LastEventId);
        await host.PublishAsync(Book, "marker 2");
        Assert.Equal("marker 2", (await exact.NextEventAsync()).Data);
    }

    [Fact]
    public async Task Private_updates_reach_only_subscribers_whose_token_matches_one_of_their_topics()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        await using SseTestClient anonymous = await host.SubscribeAsync(["*"]);
        await using SseTestClient authorized = await host.SubscribeAsync(["*"], allowed: ["https://example.com/books/{id}"]);
        await using SseTestClient viaAlternate = await host.SubscribeAsync(["*"], allowed: ["https://example.com/shelves/7"]);
        await using SseTestClient otherTopics = await host.SubscribeAsync(["*"], allowed: ["https://example.com/authors/{id}"]);

        await host.PublishAsync(Book, "secret", isPrivate: true);
        await host.PublishAsync("https://example.com/users/9", "secret with alternate", isPrivate: true, alternates: "https://example.com/shelves/7");
        await host.PublishAsync(Book, "public");

        Assert.Equal(["public"], await DataOf(anonymous, 1));
        Assert.Equal(["secret", "public"], await DataOf(authorized, 2));
        Assert.Equal(["secret with alternate", "public"], await DataOf(viaAlternate, 2));
        Assert.Equal(["public"], await DataOf(otherTopics, 1));
    }

    [Theory]
    [InlineData("")]
    [InlineData("topic=a&topic=b&topic=c&topic=d")]
    [InlineData("topic=https%3A%2F%2Fexample.com%2F%7Bid")]
    public async Task Bad_selectors_get_400(string query)
    {
        await using HubHost host = await HubHost.StartAsync(o => { o.AllowAnonymous = true; o.MaxSelectorsPerSubscription = 3; });
        using HttpResponseMessage response = await host.Client.GetAsync($"{host.HubUrl}?{query}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("selector", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_anonymous_access_a_subscriber_needs_a_token()
    {
        await using HubHost host = await HubHost.StartAsync();
        using HttpResponseMessage anonymous = await host.Client.GetAsync(host.SubscribeUrl(Book), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);

        await using SseTestClient withToken = await host.SubscribeAsync([Book], allowed: []);
        string id = await host.PublishAsync(Book, "hello");
        Assert.Equal(id, (await withToken.NextEventAsync()).LastEventId);
    }

    [Fact]
    public async Task The_token_can_come_from_the_query_or_the_cookie()
    {
        await using HubHost host = await HubHost.StartAsync();
        string token = TestTokens.Subscriber([Book]);
        await using SseTestClient viaQuery = await SseTestClient.ConnectAsync(host.Client, host.SubscribeUrl(Book) + "&authorization=" + token);
        using var cookieClient = new HttpClient(new SocketsHttpHandler { UseCookies = false });
        cookieClient.DefaultRequestHeaders.Add("Cookie", "mercureAuthorization=" + token);
        await using SseTestClient viaCookie = await SseTestClient.ConnectAsync(cookieClient, host.SubscribeUrl(Book));

        await host.PublishAsync(Book, "private hello", isPrivate: true);

        Assert.Equal("private hello", (await viaQuery.NextEventAsync()).Data);
        Assert.Equal("private hello", (await viaCookie.NextEventAsync()).Data);
    }

    [Fact]
    public async Task A_silent_subscription_gets_heartbeat_comments()
    {
        await using HubHost host = await HubHost.StartAsync(o => { o.AllowAnonymous = true; o.HeartbeatInterval = TimeSpan.FromMilliseconds(100); });
        await using SseTestClient subscriber = await host.SubscribeAsync([Book]);

        Assert.True((await subscriber.NextItemAsync()).IsComment); // the opening comment
        Assert.True((await subscriber.NextItemAsync()).IsComment); // a heartbeat
        Assert.True((await subscriber.NextItemAsync()).IsComment); // and another
    }

    [Fact]
    public async Task A_subscription_ends_at_its_maximum_lifetime()
    {
        await using HubHost host = await HubHost.StartAsync(o => { o.AllowAnonymous = true; o.MaxSubscriptionLifetime = TimeSpan.FromMilliseconds(300); });
        await using SseTestClient subscriber = await host.SubscribeAsync([Book]);

        await subscriber.Ended.WaitAsync(Bounded.DefaultWait);
        await Bounded.UntilAsync(() => host.Hub.SubscriberCount == 0, "the hub forgets the subscriber");
    }

    [Fact]
    public async Task An_expiring_token_closes_the_stream_and_the_same_token_then_gets_401()
    {
        await using HubHost host = await HubHost.StartAsync();
        string token = TestTokens.Subscriber([Book], expires: DateTimeOffset.UtcNow.AddSeconds(2));
        await using SseTestClient subscriber = await SseTestClient.ConnectAsync(host.Client, host.SubscribeUrl(Book), token: token);

        await subscriber.Ended.WaitAsync(Bounded.DefaultWait);
        using var reconnect = new HttpRequestMessage(HttpMethod.Get, host.SubscribeUrl(Book));
        reconnect.Headers.Authorization = new("Bearer", token);
        using HttpResponseMessage response = await host.Client.SendAsync(reconnect, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.Single().Parameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cors_allows_only_listed_origins_with_credentials()
    {
        await using HubHost host = await HubHost.StartAsync(o => { o.AllowAnonymous = true; o.CorsOrigins.Add("https://app.example"); });

        async Task<HttpResponseMessage> PreflightAsync(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, host.HubUrl);
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            return await host.Client.SendAsync(request);
        }

        using HttpResponseMessage allowed = await PreflightAsync("https://app.example");
        using HttpResponseMessage refused = await PreflightAsync("https://evil.example");

        Assert.Equal("https://app.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", allowed.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static async Task<List<string>> DataOf(SseTestClient subscriber, int count) =>
        [.. (await subscriber.NextEventsAsync(count)).Select(item => item.Data)];
}
