using System.Net;
using System.Net.Sockets;
using Herald.Client.Publishing;
using Herald.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Client.Tests.Publishing;

/// <summary>When <see cref="HubPublisher"/> retries and when it must not, against a scripted hub
/// that counts what reached it.</summary>
public sealed class HubPublisherRetryTests
{
    private const string Topic = "https://example.com/orders/17";

    [Fact]
    public async Task An_update_with_an_id_is_retried_after_a_503_with_Retry_After_0_and_sent_the_same_both_times()
    {
        await using ScriptedHub hub = await ScriptedHub.StartAsync((n, context) =>
            n == 1 ? ScriptedHub.Answer(context, 503, "The update could not be stored: disk full", retryAfter: "0") : ScriptedHub.Accept(context));
        using HubPublisher publisher = Publisher(hub);

        string id = await publisher.PublishAsync(new PublishRequest(Topic, "x") { Id = "order-17", Type = "created" });

        Assert.Equal("order-17", id);
        Assert.Equal(2, hub.Count);
        Assert.Equal(hub.Requests[0].Form, hub.Requests[1].Form);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(429)]
    public async Task An_update_with_an_id_is_retried_after_a_transient_status(int status)
    {
        await using ScriptedHub hub = await ScriptedHub.StartAsync((n, context) =>
            n == 1 ? ScriptedHub.Answer(context, status, "try later") : ScriptedHub.Accept(context));
        using HubPublisher publisher = Publisher(hub);

        Assert.Equal("a", await publisher.PublishAsync(new PublishRequest(Topic, "x") { Id = "a" }));
        Assert.Equal(2, hub.Count);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    public async Task An_update_without_an_id_is_not_retried_after_a_transient_status(int status)
    {
        await using ScriptedHub hub = await ScriptedHub.StartAsync((n, context) =>
            n == 1 ? ScriptedHub.Answer(context, status, "try later", retryAfter: "0") : ScriptedHub.Accept(context));
        using HubPublisher publisher = Publisher(hub);

        HubPublishException error = await Assert.ThrowsAsync<HubPublishException>(() => publisher.PublishAsync(Topic, "x"));

        Assert.Equal((HttpStatusCode)status, error.StatusCode);
        Assert.Equal("try later", error.HubMessage);
        Assert.Equal(1, hub.Count);
    }

    [Fact]
    public async Task A_dropped_connection_is_retried_with_an_id()
    {
        await using ScriptedHub hub = await ScriptedHub.StartAsync((n, context) => n == 1 ? ScriptedHub.Drop(context) : ScriptedHub.Accept(context));
        using HubPublisher publisher = Publisher(hub);

        Assert.Equal("a", await publisher.PublishAsync(new PublishRequest(Topic, "x") { Id = "a" }));
        Assert.Equal(2, hub.Count);
    }

    [Fact]
    public async Task A_dropped_connection_is_not_retried_without_an_id_because_the_hub_may_have_stored_it()
    {
        await using ScriptedHub hub = await ScriptedHub.StartAsync((n, context) => n == 1 ? ScriptedHub.Drop(context) : ScriptedHub.Accept(context));
        using HubPublisher publisher = Publisher(hub);

        await Assert.ThrowsAsync<HttpRequestException>(() => publisher.PublishAsync(Topic, "x"));
        Assert.Equal(1, hub.Count);
    }

    [Fact]
    public async Task A_refused_connection_is_retried_even_without_an_id_since_nothing_was_sent()
    {
        int attempts = 0;
        using var publisher = new HubPublisher(new HubPublisherOptions
        {
            HubUrl = new Uri($"http://127.0.0.1:{ClosedPort()}/.well-known/mercure"),
            MaxRetries = 2,
            InitialRetryDelay = TimeSpan.FromMilliseconds(1),
            TokenProvider = _ => ValueTask.FromResult<string?>($"token-{Interlocked.Increment(ref attempts)}"),
        });

        HttpRequestException error = await Assert.ThrowsAsync<HttpRequestException>(() => publisher.PublishAsync(Topic, "x"));

        Assert.Equal(HttpRequestError.ConnectionError, error.HttpRequestError);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task Retries_stop_after_MaxRetries_with_the_last_answer()
    {
        await using ScriptedHub hub = await ScriptedHub.StartAsync((n, context) => ScriptedHub.Answer(context, 500, $"boom {n}"));
        using HubPublisher publisher = Publisher(hub, maxRetries: 2);

        HubPublishException error = await Assert.ThrowsAsync<HubPublishException>(() => publisher.PublishAsync(new PublishRequest(Topic, "x") { Id = "a" }));

        Assert.Equal(typeof(HubPublishException), error.GetType());
        Assert.Equal((HttpStatusCode.InternalServerError, "boom 3"), (error.StatusCode, error.HubMessage));
        Assert.Equal(3, hub.Count);
    }

    [Fact]
    public async Task A_Retry_After_longer_than_MaxRetryDelay_ends_the_retries_at_once_and_is_reported()
    {
        await using ScriptedHub hub = await ScriptedHub.StartAsync((n, context) => ScriptedHub.Answer(context, 503, "maintenance", retryAfter: "120"));
        using HubPublisher publisher = Publisher(hub);

        HubPublishException error = await Assert.ThrowsAsync<HubPublishException>(() => publisher.PublishAsync(new PublishRequest(Topic, "x") { Id = "a" }));

        Assert.Equal(TimeSpan.FromSeconds(120), error.RetryAfter);
        Assert.Equal(1, hub.Count);
    }

    [Theory]
    [InlineData(400, typeof(HubBadRequestException))]
    [InlineData(401, typeof(HubUnauthorizedException))]
    [InlineData(403, typeof(HubForbiddenException))]
    [InlineData(413, typeof(HubPayloadTooLargeException))]
    [InlineData(404, typeof(HubPublishException))]
    public async Task Client_errors_are_typed_and_never_retried_even_with_an_id(int status, Type expected)
    {
        await using ScriptedHub hub = await ScriptedHub.StartAsync((n, context) => ScriptedHub.Answer(context, status, "refused"));
        using HubPublisher publisher = Publisher(hub);

        HubPublishException error = await Assert.ThrowsAnyAsync<HubPublishException>(() => publisher.PublishAsync(new PublishRequest(Topic, "x") { Id = "a" }));

        Assert.Equal(expected, error.GetType());
        Assert.Equal(((HttpStatusCode)status, "refused"), (error.StatusCode, error.HubMessage));
        Assert.Equal(1, hub.Count);
    }

    [Fact]
    public async Task GenerateIds_gives_an_update_without_an_id_one_id_for_every_attempt()
    {
        await using ScriptedHub hub = await ScriptedHub.StartAsync((n, context) =>
            n == 1 ? ScriptedHub.Answer(context, 503, "busy", retryAfter: "0") : ScriptedHub.Accept(context));
        using var publisher = new HubPublisher(new HubPublisherOptions { HubUrl = hub.Url, GenerateIds = true });

        string id = await publisher.PublishAsync(Topic, "x");

        Assert.StartsWith("urn:uuid:", id, StringComparison.Ordinal);
        Assert.Equal([id, id], hub.Requests.Select(r => r.Field("id")));
    }

    [Fact]
    public async Task The_backoff_waits_on_the_TimeProvider_at_least_half_the_initial_delay()
    {
        var time = new FakeTimeProvider();
        await using ScriptedHub hub = await ScriptedHub.StartAsync((n, context) => n == 1 ? ScriptedHub.Answer(context, 503, "busy") : ScriptedHub.Accept(context));
        using var publisher = new HubPublisher(new HubPublisherOptions
        {
            HubUrl = hub.Url,
            MaxRetries = 1,
            InitialRetryDelay = TimeSpan.FromHours(1),
            MaxRetryDelay = TimeSpan.FromHours(1),
            TimeProvider = time,
        });

        Task<string> publish = publisher.PublishAsync(new PublishRequest(Topic, "x") { Id = "a" });
        await Bounded.UntilAsync(() => hub.Count == 1, "the first attempt arrived");

        // Fake minutes pass until the retry comes; on the real clock it would take half an hour at least.
        TimeSpan advanced = TimeSpan.Zero;
        using CancellationTokenSource bound = Bounded.Wait();
        while (!publish.IsCompleted)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            advanced += TimeSpan.FromMinutes(1);
            await Task.Delay(5, bound.Token);
        }

        Assert.Equal("a", await publish);
        Assert.True(advanced >= TimeSpan.FromMinutes(30), $"retried after {advanced} of backoff, less than half the initial delay");
        Assert.Equal(2, hub.Count);
    }

    [Fact]
    public async Task The_token_provider_is_asked_on_every_attempt()
    {
        int calls = 0;
        await using ScriptedHub hub = await ScriptedHub.StartAsync((n, context) =>
            n == 1 ? ScriptedHub.Answer(context, 503, "busy", retryAfter: "0") : ScriptedHub.Accept(context));
        using var publisher = new HubPublisher(new HubPublisherOptions
        {
            HubUrl = hub.Url,
            Token = "static",
            TokenProvider = _ => ValueTask.FromResult<string?>($"fresh-{Interlocked.Increment(ref calls)}"),
        });

        await publisher.PublishAsync(new PublishRequest(Topic, "x") { Id = "a" });

        Assert.Equal(["Bearer fresh-1", "Bearer fresh-2"], hub.Requests.Select(r => r.Authorization));
    }

    [Fact]
    public async Task An_updates_own_token_wins_over_the_publishers()
    {
        bool asked = false;
        await using ScriptedHub hub = await ScriptedHub.StartAsync((n, context) => ScriptedHub.Accept(context));
        using var publisher = new HubPublisher(new HubPublisherOptions
        {
            HubUrl = hub.Url,
            TokenProvider = _ =>
            {
                asked = true;
                return ValueTask.FromResult<string?>("provided");
            },
        });

        await publisher.PublishAsync(new PublishRequest(Topic, "x") { Token = "own" });

        Assert.Equal("Bearer own", Assert.Single(hub.Requests).Authorization);
        Assert.False(asked);
    }

    [Fact]
    public async Task The_form_carries_every_field_and_the_id_loses_only_a_trailing_line_break()
    {
        await using ScriptedHub hub = await ScriptedHub.StartAsync(async (n, context) =>
        {
            context.Response.ContentType = "text/plain";
            await Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(context.Response, " id with spaces \r\n");
        });
        using var publisher = new HubPublisher(new HubPublisherOptions { HubUrl = hub.Url, Token = "t" });

        string id = await publisher.PublishAsync(new PublishRequest([Topic, "urn:alt"], "a & b = c+d\nécrit 😀") { Id = "i d", Type = "t", Retry = 1500, IsPrivate = true });

        Assert.Equal(" id with spaces ", id);
        RecordedPublish request = Assert.Single(hub.Requests);
        Assert.Equal("application/x-www-form-urlencoded", request.ContentType);
        Assert.Equal([Topic, "urn:alt"], request.Form["topic"]);
        Assert.Equal(("a & b = c+d\nécrit 😀", "i d", "t", "1500", "on"), (request.Field("data"), request.Field("id"), request.Field("type"), request.Field("retry"), request.Field("private")));
    }

    [Fact]
    public async Task Optional_fields_that_are_not_set_are_not_sent()
    {
        await using ScriptedHub hub = await ScriptedHub.StartAsync((n, context) => ScriptedHub.Accept(context));
        using HubPublisher publisher = Publisher(hub);

        await publisher.PublishAsync(Topic, string.Empty);

        RecordedPublish request = Assert.Single(hub.Requests);
        Assert.Equal(["data", "topic"], request.Form.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(string.Empty, request.Authorization);
    }

    private static HubPublisher Publisher(ScriptedHub hub, int maxRetries = 3) =>
        new(new HubPublisherOptions { HubUrl = hub.Url, MaxRetries = maxRetries, InitialRetryDelay = TimeSpan.FromMilliseconds(1) });

    /// <summary>A port on 127.0.0.1 that nothing listens on: taken from the OS, then let go.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
