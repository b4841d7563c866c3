using System.Net;
using System.Text;
using System.Text.Json;
using Herald.Hub.Authorization;
using Herald.Hub.Streams;
using Herald.Hub.Tests.Streams;
using Herald.Sse;
using Herald.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Herald.Hub.Tests.Http;

/// <summary>The limits per client over real HTTP: subscriptions per address, publish rates per
/// token and per address, and the event size; 127.0.0.2 stands for a second client.</summary>
public sealed class LimitsTests
{
    private const string Topic = "https://example.com/limited";

    private static readonly IPAddress First = IPAddress.Loopback;

    /// <summary>A publisher token for every topic naming its publisher in <c>sub</c>.</summary>
    private static string PublisherToken(string subject, string topic = "*") =>
        HubTokenFactory.Create(new HeraldJwtOptions { Key = TestTokens.PublisherKey }, [topic], null, subject: subject);

    private static async Task<HttpResponseMessage> PublishAsync(HttpClient client, Uri hubUrl, string token, string data = "x")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, hubUrl) { Content = new FormUrlEncodedContent([new("topic", Topic), new("data", data)]) };
        request.Headers.Authorization = new("Bearer", token);
        return await client.SendAsync(request);
    }

    /// <summary>Publishes until the hub refuses, asserting each publish before that succeeded;
    /// the refusal must come within a few more than the burst.</summary>
    private static async Task<HttpResponseMessage> PublishUntilRefusedAsync(HttpClient client, Uri hubUrl, string token)
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            HttpResponseMessage response = await PublishAsync(client, hubUrl, token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return response;
            }

            response.Dispose();
        }

        throw new Xunit.Sdk.XunitException("Ten publishes in a row were accepted at a rate of one per second.");
    }

    private static async Task AssertTooManyAsync(HttpResponseMessage response, string says)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "a 429 says when to come back");
        Assert.Contains(says, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Past_its_cap_an_address_gets_429_with_Retry_After_while_another_address_subscribes()
    {
        await using HubHost host = await HubHost.StartAsync(o => { o.AllowAnonymous = true; o.Limits.MaxSubscribersPerIp = 2; o.RetryAfter = TimeSpan.FromSeconds(7); });
        using HttpClient second = SourceAddressClient.Create(SourceAddressClient.Second, host.BaseAddress);
        SseTestClient one = await host.SubscribeAsync([Topic]);
        await using SseTestClient two = await host.SubscribeAsync([Topic]);

        using HttpResponseMessage refused = await host.Client.GetAsync(host.SubscribeUrl(Topic), HttpCompletionOption.ResponseHeadersRead);
        SseTestClient other = await SseTestClient.ConnectAsync(second, host.SubscribeUrl(Topic));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), refused.Headers.RetryAfter!.Delta);
        Assert.Contains("subscriptions", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        string id = await host.PublishAsync(Topic, "to everyone admitted");
        Assert.Equal(id, (await other.NextEventAsync()).LastEventId);
        Assert.Equal(id, (await one.NextEventAsync()).LastEventId);

        // A place given back is a place taken; an address with none left is forgotten.
        await one.DisposeAsync();
        await Bounded.UntilAsync(() => host.Hub.SubscribersPerClient.CountOf(First) == 1, "the hub gives the first address its place back");
        await using (SseTestClient again = await host.SubscribeAsync([Topic]))
        {
            Assert.Equal(2, host.Hub.SubscribersPerClient.CountOf(First));
        }

        await other.DisposeAsync();
        await Bounded.UntilAsync(() => host.Hub.SubscribersPerClient.ClientCount == 1, "the second address is forgotten once it holds nothing");
    }

    [Fact]
    public async Task At_the_total_cap_an_address_under_its_own_gets_503_and_holds_no_place()
    {
        await using HubHost host = await HubHost.StartAsync(o => { o.AllowAnonymous = true; o.MaxSubscribers = 2; o.Limits.MaxSubscribersPerIp = 5; });
        using HttpClient second = SourceAddressClient.Create(SourceAddressClient.Second, host.BaseAddress);
        await using SseTestClient one = await host.SubscribeAsync([Topic]);
        await using SseTestClient two = await host.SubscribeAsync([Topic]);

        using HttpResponseMessage refused = await second.GetAsync(host.SubscribeUrl(Topic), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        await Bounded.UntilAsync(() => host.Hub.SubscribersPerClient.CountOf(SourceAddressClient.Second) == 0, "the refused subscriber gives its address's place back");
    }

    [Fact]
    public async Task A_token_past_its_publish_rate_gets_429_while_other_tokens_publish()
    {
        await using HubHost host = await HubHost.StartAsync(o => { o.Limits.PublishesPerSecondPerToken = 1; o.Limits.PublishesPerSecondPerIp = 0; });

        using HttpResponseMessage refused = await PublishUntilRefusedAsync(host.Client, host.HubUrl, PublisherToken("fast"));
        // The same publisher with another token: the budget is its subject's, not the token's.
        using HttpResponseMessage reminted = await PublishAsync(host.Client, host.HubUrl, PublisherToken("fast", Topic));
        using HttpResponseMessage other = await PublishAsync(host.Client, host.HubUrl, PublisherToken("other"));

        await AssertTooManyAsync(refused, "token");
        Assert.Equal(HttpStatusCode.TooManyRequests, reminted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);

        // A token without a subject is counted as itself.
        using HttpResponseMessage anonymousRefused = await PublishUntilRefusedAsync(host.Client, host.HubUrl, TestTokens.Publisher("*"));
        using HttpResponseMessage anotherToken = await PublishAsync(host.Client, host.HubUrl, TestTokens.Publisher(Topic));
        await AssertTooManyAsync(anonymousRefused, "token");
        Assert.Equal(HttpStatusCode.OK, anotherToken.StatusCode);
    }

    [Fact]
    public async Task An_address_past_its_publish_rate_gets_429_before_its_token_is_read_while_another_address_publishes()
    {
        await using HubHost host = await HubHost.StartAsync(o => { o.Limits.PublishesPerSecondPerIp = 1; o.Limits.PublishesPerSecondPerToken = 0; });
        using HttpClient second = SourceAddressClient.Create(SourceAddressClient.Second, host.BaseAddress);
        string token = PublisherToken("shared");

        using HttpResponseMessage refused = await PublishUntilRefusedAsync(host.Client, host.HubUrl, token);
        using HttpResponseMessage forged = await PublishAsync(host.Client, host.HubUrl, "not.a.token");
        using HttpResponseMessage elsewhere = await PublishAsync(second, host.HubUrl, token);

        await AssertTooManyAsync(refused, "address");
        Assert.Equal(HttpStatusCode.TooManyRequests, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    [Fact]
    public async Task Opening_a_token_stream_counts_once_against_the_rate_however_many_tokens_it_carries()
    {
        await using HubHost host = await StreamReading.StartHubAsync(o => { o.Limits.PublishesPerSecondPerToken = 1; o.Limits.PublishesPerSecondPerIp = 0; });
        string token = PublisherToken("producer");
        RawProducer producer = await RawProducer.StartAsync(host, "counted", token: token);
        await using (producer)
        {
            for (int i = 0; i < 20; i++)
            {
                await producer.WriteAsync($"data: token {i}\n\n");
            }

            await producer.CompleteAsync();
            List<SseItem> answer = await producer.ResponseEventsAsync();
            using JsonDocument summary = JsonDocument.Parse(answer[^1].Data);
            Assert.Equal(("done", 20L), (summary.RootElement.GetProperty("status").GetString(), summary.RootElement.GetProperty("tokens").GetInt64()));
        }

        HttpResponseMessage? refused = null;
        for (int attempt = 0; attempt < 10 && refused is null; attempt++)
        {
            HttpResponseMessage response = await PostStreamAsync(host, $"more-{attempt}", token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                response.Dispose();
            }
            else
            {
                refused = response;
            }
        }

        using HttpResponseMessage other = await PostStreamAsync(host, "other", PublisherToken("another producer"));
        Assert.NotNull(refused);
        await AssertTooManyAsync(refused, "token");
        refused.Dispose();
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    private static async Task<HttpResponseMessage> PostStreamAsync(HubHost host, string streamId, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, StreamReading.StreamUrl(host, streamId)) { Content = new StringContent(string.Empty) };
        request.Content.Headers.ContentType = new("text/event-stream");
        request.Headers.Authorization = new("Bearer", token);
        return await host.Client.SendAsync(request);
    }

    [Fact]
    public async Task Data_over_the_event_size_gets_413_counted_in_UTF8_bytes()
    {
        await using HubHost host = await HubHost.StartAsync(o => { o.AllowAnonymous = true; o.Limits.MaxEventSize = 100; });
        await using SseTestClient subscriber = await host.SubscribeAsync([Topic]);
        string token = TestTokens.Publisher("*");

        using HttpResponseMessage atTheLimit = await PublishAsync(host.Client, host.HubUrl, token, new string('a', 100));
        // 51 characters, 102 bytes.
        using HttpResponseMessage over = await PublishAsync(host.Client, host.HubUrl, token, new string('é', 51));

        Assert.Equal(HttpStatusCode.OK, atTheLimit.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Contains("102 bytes", await over.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(100, (await subscriber.NextEventAsync()).Data.Length);
        string after = await host.PublishAsync(Topic, "after");
        Assert.Equal(after, (await subscriber.NextEventAsync()).LastEventId);
    }

    [Theory]
    [InlineData("text/event-stream", "data: small\n\n", "data: {0}\n\n")]
    [InlineData("application/x-ndjson", "\"small\"\n", "\"{0}\"\n")]
    public async Task A_stream_event_over_the_event_size_ends_the_stream_as_an_error_after_the_events_before_it(string contentType, string small, string bigTemplate)
    {
        await using HubHost host = await StreamReading.StartHubAsync(o => o.Limits.MaxEventSize = 100);
        RawProducer producer = await RawProducer.StartAsync(host, "huge", contentType);
        await using RawProducer owned = producer;
        Assert.Equal("herald-stream", (await producer.Control.NextEventAsync()).Type);

        // One write: the big event arrives whole, in the same read as the small one.
        await producer.WriteAsync(small + string.Format(System.Globalization.CultureInfo.InvariantCulture, bigTemplate, new string('x', 200)));

        SseItem end = await producer.Control.NextEventAsync();
        using JsonDocument summary = JsonDocument.Parse(end.Data);
        Assert.Equal(("error", 1L), (summary.RootElement.GetProperty("status").GetString(), summary.RootElement.GetProperty("tokens").GetInt64()));
        Assert.Contains("larger than the hub accepts (100 bytes)", summary.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_limits_fail_validation()
    {
        using ServiceProvider services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddHerald(o => { o.Limits.MaxSubscribersPerIp = -1; o.Limits.MaxEventSize = 0; })
            .BuildServiceProvider();

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<HeraldOptions>>().Value);
        Assert.Contains("MaxSubscribersPerIp", error.Message, StringComparison.Ordinal);
    }
}
