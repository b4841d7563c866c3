using System.Net;
using System.Text;
using Herald.Sse;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Hub.Tests.Http;

public sealed class PublishEndpointTests
{
    private const string Topic = "https://example.com/books/1";

    /// <summary>What a subscriber connected through the bad requests listens to.</summary>
    private const string Bystander = "https://example.com/after";

    [Fact]
    public async Task Publish_answers_200_text_plain_with_a_generated_id_and_delivers_it()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        await using SseTestClient subscriber = await host.SubscribeAsync([Topic]);

        using HttpResponseMessage response = await host.PostAsync([new("topic", Topic), new("data", "hello")]);
        string id = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("urn:uuid:", id, StringComparison.Ordinal);
        SseItem received = await subscriber.NextEventAsync();
        Assert.Equal(("hello", id), (received.Data, received.LastEventId));
    }

    [Fact]
    public async Task A_retried_publish_with_a_stored_id_answers_200_with_it_and_is_not_delivered_again()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        await using SseTestClient subscriber = await host.SubscribeAsync([Topic]);

        string first = await host.PublishAsync(Topic, "once", id: "order-17");
        string retried = await host.PublishAsync(Topic, "once", id: "order-17");
        await host.PublishAsync(Topic, "next");

        Assert.Equal(("order-17", "order-17"), (first, retried));
        Assert.Equal(["once", "next"], (await subscriber.NextEventsAsync(2)).Select(e => e.Data));
        await using SseTestClient replay = await host.SubscribeAsync([Topic], lastEventId: "earliest");
        Assert.Equal(["once", "next"], (await replay.NextEventsAsync(2)).Select(e => e.Data));
    }

    [Fact]
    public async Task A_store_that_fails_gets_503_never_200_and_the_hub_reports_not_ready_for_the_retry_after()
    {
        var clock = new FakeTimeProvider();
        await using HubHost host = await HubHost.StartAsync(services: s => s.AddSingleton<Herald.Hub.History.IEventLog, FailingLog>().AddSingleton<TimeProvider>(clock));
        var readiness = host.Services.GetRequiredService<Herald.Hub.Hosting.HeraldReadinessCheck>();
        Assert.Equal(HealthStatus.Healthy, (await readiness.CheckHealthAsync(new HealthCheckContext())).Status);

        using HttpResponseMessage response = await host.PostAsync([new("topic", Topic), new("data", "x")]);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("could not be stored", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(HealthStatus.Unhealthy, (await readiness.CheckHealthAsync(new HealthCheckContext())).Status);

        // With no publish since, the answer lapses: a node out of rotation would get none.
        clock.Advance(host.Hub.Options.RetryAfter);
        Assert.Equal(HealthStatus.Healthy, (await readiness.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    /// <summary>A store whose disk is gone: every append fails.</summary>
    private sealed class FailingLog : Herald.Hub.History.IEventLog
    {
        public string? LastEventId => null;

        public ValueTask<Herald.Hub.History.AppendOutcome[]> AppendAsync(IReadOnlyList<Update> updates, CancellationToken cancellationToken) =>
            ValueTask.FromException<Herald.Hub.History.AppendOutcome[]>(new IOException("disk I/O error"));

        public ValueTask<Herald.Hub.History.HistoryCursor> FindAsync(string lastEventId, CancellationToken cancellationToken) =>
            ValueTask.FromResult(Herald.Hub.History.HistoryCursor.NotFound);

        public ValueTask<IReadOnlyList<Herald.Hub.History.LoggedUpdate>> ReadAsync(long afterSequence, int limit, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<Herald.Hub.History.LoggedUpdate>>([]);
    }

    [Fact]
    public async Task Publish_answers_with_the_publishers_id()
    {
        await using HubHost host = await HubHost.StartAsync();
        Assert.Equal("book-1-rev-7", await host.PublishAsync(Topic, "x", id: "book-1-rev-7"));
    }

    public static TheoryData<string, string[], string> BadInput => new()
    {
        { "no topic", ["data", "x"], "topic" },
        { "empty topic", ["topic", "", "data", "x"], "topic" },
        { "id starting with #", ["topic", Topic, "id", "#42"], "'#'" },
        { "id with LF", ["topic", Topic, "id", "a\nb"], "id must not contain CR, LF or NUL; it contains LF" },
        { "id with CR", ["topic", Topic, "id", "a\rb"], "it contains CR" },
        { "id with NUL", ["topic", Topic, "id", "a\0b"], "it contains NUL" },
        { "type with LF", ["topic", Topic, "type", "a\nb"], "type must not contain CR, LF or NUL" },
        { "retry with a letter", ["topic", Topic, "retry", "12a"], "retry" },
        { "negative retry", ["topic", Topic, "retry", "-5"], "retry" },
        { "empty retry", ["topic", Topic, "retry", ""], "retry" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Bad_input_gets_400_with_a_message_naming_the_problem_and_the_hub_keeps_serving(string name, string[] fields, string expected)
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        await using SseTestClient bystander = await host.SubscribeAsync([Bystander]);

        using HttpResponseMessage response = await host.PostAsync(Pairs(fields));

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, name);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertStillServingAsync(host, bystander);
    }

    [Fact]
    public async Task A_body_over_the_limit_gets_413_whether_or_not_it_declares_its_length()
    {
        await using HubHost host = await HubHost.StartAsync(o => { o.AllowAnonymous = true; o.MaxPublishBodySize = 1024; });
        await using SseTestClient bystander = await host.SubscribeAsync([Bystander]);
        string big = "topic=" + Uri.EscapeDataString(Topic) + "&data=" + new string('x', 4096);

        using var declared = new HttpRequestMessage(HttpMethod.Post, host.HubUrl) { Content = new StringContent(big, Encoding.UTF8, "application/x-www-form-urlencoded") };
        declared.Headers.Authorization = new("Bearer", TestTokens.Publisher("*"));
        using HttpResponseMessage declaredResponse = await host.Client.SendAsync(declared);

        // Chunked: no Content-Length, so the limit must be enforced while reading.
        using var chunked = new HttpRequestMessage(HttpMethod.Post, host.HubUrl) { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big))) };
        chunked.Content.Headers.ContentType = new("application/x-www-form-urlencoded");
        chunked.Headers.TransferEncodingChunked = true;
        chunked.Headers.Authorization = new("Bearer", TestTokens.Publisher("*"));
        using HttpResponseMessage chunkedResponse = await host.Client.SendAsync(chunked);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declaredResponse.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunkedResponse.StatusCode);
        await AssertStillServingAsync(host, bystander);
    }

    [Fact]
    public async Task A_missing_token_gets_401_with_a_bearer_challenge()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        await using SseTestClient bystander = await host.SubscribeAsync([Bystander]);

        using HttpResponseMessage response = await host.PostAsync([new("topic", Topic)], token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        await AssertStillServingAsync(host, bystander);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJtZXJjdXJlIjp7InB1Ymxpc2giOlsiKiJdfX0.")]
    public async Task An_invalid_or_unsigned_token_gets_401_invalid_token(string token)
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        await using SseTestClient bystander = await host.SubscribeAsync([Bystander]);

        using HttpResponseMessage response = await host.PostAsync([new("topic", Topic)], token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.Single().Parameter, StringComparison.Ordinal);
        await AssertStillServingAsync(host, bystander);
    }

    [Fact]
    public async Task A_subscriber_token_cannot_publish()
    {
        await using HubHost host = await HubHost.StartAsync();
        using HttpResponseMessage response = await host.PostAsync([new("topic", Topic)], TestTokens.Subscriber(["*"]));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_topic_outside_mercure_publish_gets_403_even_as_an_alternate()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        await using SseTestClient bystander = await host.SubscribeAsync([Bystander]);
        string token = TestTokens.Publisher("https://example.com/books/{id}");

        using HttpResponseMessage allowed = await host.PostAsync([new("topic", Topic)], token);
        using HttpResponseMessage outside = await host.PostAsync([new("topic", "https://example.com/authors/1")], token);
        using HttpResponseMessage outsideAlternate = await host.PostAsync([new("topic", Topic), new("topic", "https://example.com/authors/1")], token);
        using HttpResponseMessage noClaim = await host.PostAsync([new("topic", Topic)], Herald.Hub.Authorization.HubTokenFactory.Create(new() { Key = TestTokens.PublisherKey }, null, null));

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, outsideAlternate.StatusCode);
        Assert.Contains("https://example.com/authors/1", await outsideAlternate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, noClaim.StatusCode);
        await AssertStillServingAsync(host, bystander);
    }

    [Theory]
    [InlineData("/.well-known/mercure/subscriptions/x/y")]
    [InlineData("https://anywhere.example/.well-known/mercure/subscriptions/x/y")]
    [InlineData("/.well-known/mercure")]
    public async Task Topics_in_the_hubs_reserved_namespace_get_403(string topic)
    {
        await using HubHost host = await HubHost.StartAsync();
        using HttpResponseMessage response = await host.PostAsync([new("topic", topic)]);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_publish_authorized_by_cookie_must_come_from_an_allowed_origin()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.Authorization.PublishOrigins.Add("https://app.example"));
        string token = TestTokens.Publisher("*");

        async Task<HttpStatusCode> PublishWithCookieAsync(string? origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, host.HubUrl) { Content = new FormUrlEncodedContent([new("topic", Topic)]) };
            request.Headers.Add("Cookie", "mercureAuthorization=" + token);
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }

            using HttpResponseMessage response = await host.Client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await PublishWithCookieAsync(null));
        Assert.Equal(HttpStatusCode.Unauthorized, await PublishWithCookieAsync("https://evil.example"));
        Assert.Equal(HttpStatusCode.OK, await PublishWithCookieAsync("https://app.example"));
    }

    [Fact]
    public async Task A_body_that_is_not_a_form_gets_400()
    {
        await using HubHost host = await HubHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, host.HubUrl) { Content = new StringContent("{\"topic\":\"x\"}", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", TestTokens.Publisher("*"));
        using HttpResponseMessage response = await host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static List<KeyValuePair<string, string>> Pairs(string[] fields) =>
        [.. fields.Chunk(2).Select(pair => new KeyValuePair<string, string>(pair[0], pair[1]))];

    /// <summary>After the bad request, a good publish still reaches a subscriber that was
    /// connected all along.</summary>
    private static async Task AssertStillServingAsync(HubHost host, SseTestClient bystander)
    {
        string id = await host.PublishAsync(Bystander, "still here");
        SseItem next = await bystander.NextEventAsync();
        Assert.Equal(("still here", id), (next.Data, next.LastEventId));
    }
}
