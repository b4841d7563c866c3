using Herald.Client.Publishing;

namespace Herald.Client.Tests.Publishing;

/// <summary>What no hub would accept fails with <see cref="ArgumentException"/> before anything is sent.</summary>
public sealed class PublishValidationTests
{
    private const string Topic = "https://example.com/books/1";

    private static readonly Dictionary<string, (PublishRequest Request, string Message)> Invalid = new()
    {
        ["no topic"] = (new PublishRequest([], "x"), "at least one topic"),
        ["empty topic"] = (new PublishRequest([Topic, ""], "x"), "at least one topic"),
        ["null topic"] = (new PublishRequest([Topic, null!], "x"), "at least one topic"),
        ["id starting with #"] = (new PublishRequest(Topic, "x") { Id = "#42" }, "must not start with '#'"),
        ["id with LF"] = (new PublishRequest(Topic, "x") { Id = "a\nb" }, "id must not contain CR, LF or NUL; it contains LF"),
        ["id with CR"] = (new PublishRequest(Topic, "x") { Id = "a\rb" }, "it contains CR"),
        ["id with NUL"] = (new PublishRequest(Topic, "x") { Id = "a\0b" }, "it contains NUL"),
        ["type with LF"] = (new PublishRequest(Topic, "x") { Type = "a\nb" }, "type must not contain CR, LF or NUL"),
        ["type with NUL"] = (new PublishRequest(Topic, "x") { Type = "a\0" }, "type must not contain CR, LF or NUL"),
        ["negative retry"] = (new PublishRequest(Topic, "x") { Retry = -1 }, "retry"),
    };

    public static TheoryData<string> Cases => [.. Invalid.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Invalid_updates_are_refused_before_any_request(string name)
    {
        (PublishRequest request, string message) = Invalid[name];
        await using ScriptedHub hub = await ScriptedHub.StartAsync((n, context) => ScriptedHub.Accept(context));
        using var publisher = new HubPublisher(new HubPublisherOptions { HubUrl = hub.Url });

        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(() => publisher.PublishAsync(request));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal("request", error.ParamName);

        // The hub still answers, and saw nothing of the invalid update.
        await publisher.PublishAsync(Topic, "valid");
        Assert.Equal("valid", Assert.Single(hub.Requests).Field("data"));
    }

    [Theory]
    [InlineData("ftp://example.com/hub")]
    [InlineData("/.well-known/mercure")]
    public void A_hub_URL_that_is_not_absolute_http_is_refused(string url)
    {
        Assert.Throws<ArgumentException>(() => new HubPublisher(new HubPublisherOptions { HubUrl = new Uri(url, UriKind.RelativeOrAbsolute) }));
    }

    [Fact]
    public void Negative_retry_settings_are_refused()
    {
        var hub = new Uri("http://127.0.0.1/.well-known/mercure");
        Assert.Throws<ArgumentOutOfRangeException>(() => new HubPublisher(new HubPublisherOptions { HubUrl = hub, MaxRetries = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HubPublisher(new HubPublisherOptions { HubUrl = hub, InitialRetryDelay = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HubPublisher(new HubPublisherOptions { HubUrl = hub, MaxRetryDelay = TimeSpan.FromSeconds(-1) }));
    }
}
