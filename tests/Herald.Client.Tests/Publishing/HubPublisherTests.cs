using System.Net;
using System.Net.Http.Headers;
using Herald.Client.Publishing;
using Herald.Hub;
using Herald.Hub.History;
using Herald.Sse;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Client.Tests.Publishing;

/// <summary><see cref="HubPublisher"/> against a real Herald hub on Kestrel.</summary>
public sealed class HubPublisherTests
{
    private const string Topic = "https://example.com/books/1";
    private const string Alternate = "https://example.com/authors/7/books";

    [Fact]
    public async Task A_published_update_reaches_a_subscriber_with_every_field()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        await using SseTestClient subscriber = await host.SubscribeAsync([Topic]);
        using HubPublisher publisher = Publisher(host);

        string id = await publisher.PublishAsync(new PublishRequest(Topic, "{\"title\":\"Hello\"}\nsecond line") { Id = "book-1-rev-2", Type = "book", Retry = 2500 });

        SseItem received = await subscriber.NextEventAsync();
        Assert.Equal("book-1-rev-2", id);
        Assert.Equal(("{\"title\":\"Hello\"}\nsecond line", "book", "book-1-rev-2", 2500L), (received.Data, received.Type, received.LastEventId, received.Retry));
    }

    [Fact]
    public async Task Without_an_id_the_hub_generates_one_and_the_publisher_returns_it()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        await using SseTestClient subscriber = await host.SubscribeAsync([Topic]);
        using HubPublisher publisher = Publisher(host);

        string id = await publisher.PublishAsync(Topic, "x");

        Assert.StartsWith("urn:uuid:", id, StringComparison.Ordinal);
        Assert.Equal(id, (await subscriber.NextEventAsync()).LastEventId);
    }

    [Fact]
    public async Task A_subscriber_to_an_alternate_topic_receives_the_update_once()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        await using SseTestClient byAlternate = await host.SubscribeAsync([Alternate]);
        await using SseTestClient byBoth = await host.SubscribeAsync([Topic, Alternate]);
        using HubPublisher publisher = Publisher(host);

        string id = await publisher.PublishAsync(new PublishRequest([Topic, Alternate], "both"));
        string marker = await publisher.PublishAsync(Alternate, "marker");

        Assert.Equal([id, marker], (await byAlternate.NextEventsAsync(2)).Select(e => e.LastEventId));
        Assert.Equal([id, marker], (await byBoth.NextEventsAsync(2)).Select(e => e.LastEventId));
    }

    [Fact]
    public async Task A_private_update_reaches_only_subscribers_allowed_one_of_its_topics()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        await using SseTestClient anonymous = await host.SubscribeAsync([Topic]);
        await using SseTestClient allowed = await host.SubscribeAsync([Topic], allowed: [Alternate]);
        using HubPublisher publisher = Publisher(host);

        string secret = await publisher.PublishAsync(new PublishRequest([Topic, Alternate], "secret") { IsPrivate = true });
        string marker = await publisher.PublishAsync(Topic, "public");

        Assert.Equal([secret, marker], (await allowed.NextEventsAsync(2)).Select(e => e.LastEventId));
        Assert.Equal(marker, (await anonymous.NextEventAsync()).LastEventId);
    }

    [Fact]
    public async Task A_publish_with_an_id_that_the_store_failed_is_retried_after_the_hubs_503_and_delivered_once()
    {
        var log = new FailingOnceLog();
        await using HubHost host = await HubHost.StartAsync(
            o => { o.AllowAnonymous = true; o.RetryAfter = TimeSpan.Zero; },
            services => services.AddSingleton<IEventLog>(log));
        await using SseTestClient subscriber = await host.SubscribeAsync([Topic]);
        using HubPublisher publisher = Publisher(host);

        string id = await publisher.PublishAsync(new PublishRequest(Topic, "stored on the second try") { Id = "order-17" });
        string marker = await publisher.PublishAsync(Topic, "marker");

        Assert.Equal("order-17", id);
        Assert.Equal(3, log.Appends); // the failed append, the retried one, then the marker's
        Assert.Equal([("stored on the second try", "order-17"), ("marker", marker)], (await subscriber.NextEventsAsync(2)).Select(e => (e.Data, e.LastEventId)));
    }

    [Fact]
    public async Task Without_an_id_the_hubs_503_is_not_retried_and_comes_back_typed_with_its_message()
    {
        var log = new FailingOnceLog();
        await using HubHost host = await HubHost.StartAsync(
            o => o.RetryAfter = TimeSpan.Zero,
            services => services.AddSingleton<IEventLog>(log));
        using HubPublisher publisher = Publisher(host);

        HubPublishException error = await Assert.ThrowsAsync<HubPublishException>(() => publisher.PublishAsync(Topic, "x"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Contains("could not be stored", error.HubMessage, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, error.RetryAfter);
        Assert.Equal(1, log.Appends);
    }

    [Fact]
    public async Task A_401_without_a_token_carries_the_hubs_message()
    {
        await using HubHost host = await HubHost.StartAsync();
        using var publisher = new HubPublisher(new HubPublisherOptions { HubUrl = host.HubUrl });

        HubUnauthorizedException error = await Assert.ThrowsAsync<HubUnauthorizedException>(() => publisher.PublishAsync(Topic, "x"));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("Publishing needs a token: send it as 'Authorization: Bearer <token>'.", error.HubMessage);
        Assert.Contains(error.HubMessage, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_401_for_a_token_signed_with_another_key_carries_the_hubs_message()
    {
        await using HubHost host = await HubHost.StartAsync();
        using var publisher = new HubPublisher(new HubPublisherOptions { HubUrl = host.HubUrl, Token = TestTokens.Subscriber(["*"]) });

        HubUnauthorizedException error = await Assert.ThrowsAsync<HubUnauthorizedException>(() => publisher.PublishAsync(Topic, "x"));

        Assert.Contains("signature", error.HubMessage, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_403_for_a_topic_outside_the_tokens_rights_carries_the_hubs_message()
    {
        await using HubHost host = await HubHost.StartAsync();
        using var publisher = new HubPublisher(new HubPublisherOptions { HubUrl = host.HubUrl, Token = TestTokens.Publisher("https://example.com/other") });

        HubForbiddenException error = await Assert.ThrowsAsync<HubForbiddenException>(() => publisher.PublishAsync(Topic, "x"));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal($"The token's mercure.publish selectors do not allow the topic \"{Topic}\".", error.HubMessage);
    }

    [Fact]
    public async Task A_413_for_an_update_over_the_hubs_limit_carries_the_hubs_message()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.MaxPublishBodySize = 1024);
        using HubPublisher publisher = Publisher(host);

        HubPayloadTooLargeException error = await Assert.ThrowsAsync<HubPayloadTooLargeException>(() => publisher.PublishAsync(Topic, new string('x', 4096)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, error.StatusCode);
        Assert.Equal("The update is larger than the hub accepts (1024 bytes).", error.HubMessage);
    }

    [Fact]
    public async Task A_400_carries_the_hubs_message()
    {
        // Every field a Herald hub answers 400 for is refused locally first, so the request is
        // spoiled on the way, as a misconfigured proxy would: the hub refuses the content type.
        await using HubHost host = await HubHost.StartAsync();
        using var http = new HttpClient(new PlainTextContentHandler { InnerHandler = new SocketsHttpHandler() }) { Timeout = Bounded.DefaultWait };
        using var publisher = new HubPublisher(http, new HubPublisherOptions { HubUrl = host.HubUrl, Token = TestTokens.Publisher("*") });

        HubBadRequestException error = await Assert.ThrowsAsync<HubBadRequestException>(() => publisher.PublishAsync(Topic, "x"));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("The update must be sent as application/x-www-form-urlencoded.", error.HubMessage);
    }

    [Fact]
    public async Task A_caller_supplied_HttpClient_is_not_disposed_with_the_publisher()
    {
        await using HubHost host = await HubHost.StartAsync();
        using var http = new HttpClient { Timeout = Bounded.DefaultWait };
        var options = new HubPublisherOptions { HubUrl = host.HubUrl, Token = TestTokens.Publisher("*") };
        using (var first = new HubPublisher(http, options))
        {
            await first.PublishAsync(Topic, "first");
        }

        using var second = new HubPublisher(http, options);
        Assert.Equal("after", await second.PublishAsync(new PublishRequest(Topic, "second") { Id = "after" }));
    }

    private static HubPublisher Publisher(HubHost host) =>
        new(new HubPublisherOptions { HubUrl = host.HubUrl, Token = TestTokens.Publisher("*") });

    /// <summary>Relabels the form as text/plain.</summary>
    private sealed class PlainTextContentHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Content!.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A store whose first append fails, as a full disk would, and which then works.</summary>
    private sealed class FailingOnceLog : IEventLog
    {
        private readonly MemoryEventLog _inner = new(capacity: 100);
        private int _appends;

        public int Appends => Volatile.Read(ref _appends);

        public string? LastEventId => _inner.LastEventId;

        public ValueTask<AppendOutcome[]> AppendAsync(IReadOnlyList<Update> updates, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _appends) == 1
                ? ValueTask.FromException<AppendOutcome[]>(new IOException("disk full"))
                : _inner.AppendAsync(updates, cancellationToken);

        public ValueTask<HistoryCursor> FindAsync(string lastEventId, CancellationToken cancellationToken) =>
            _inner.FindAsync(lastEventId, cancellationToken);

        public ValueTask<IReadOnlyList<LoggedUpdate>> ReadAsync(long afterSequence, int limit, CancellationToken cancellationToken) =>
            _inner.ReadAsync(afterSequence, limit, cancellationToken);
    }
}
