using Herald.Hub.Authorization;

namespace Herald.Testing;

/// <summary>The keys test hubs are started with, and tokens signed with them.</summary>
public static class TestTokens
{
    /// <summary>Distinct publisher and subscriber secrets, as the spec recommends.</summary>
    public const string PublisherKey = "herald-test-publisher-secret-0123456789abcdef";

    public const string SubscriberKey = "herald-test-subscriber-secret-0123456789abcdef";

    /// <summary>A publisher token allowed to publish to <paramref name="topics"/>.</summary>
    public static string Publisher(params string[] topics) =>
        HubTokenFactory.Create(new HeraldJwtOptions { Key = PublisherKey }, topics, null);

    /// <summary>A subscriber token whose <c>mercure.subscribe</c> is <paramref name="selectors"/>.</summary>
    public static string Subscriber(string[] selectors, DateTimeOffset? expires = null) =>
        HubTokenFactory.Create(new HeraldJwtOptions { Key = SubscriberKey }, null, selectors, expires: expires);
}
