using Herald.Hub.Delivery;
using Herald.Hub.Selectors;

namespace Herald.Hub.Tests.Delivery;

public sealed class TopicIndexTests
{
    private static Subscriber SubscriberFor(params string[] selectors) =>
        new($"urn:uuid:{Guid.NewGuid()}", [.. selectors.Select(TopicSelector.Parse)], null, null, 8, long.MaxValue, 0);

    [Fact]
    public void Match_finds_exact_template_and_wildcard_subscribers_once_each()
    {
        var index = new TopicIndex();
        Subscriber exact = SubscriberFor("https://example.com/a");
        Subscriber template = SubscriberFor("https://example.com/{x}");
        Subscriber wildcard = SubscriberFor("*");
        Subscriber all = SubscriberFor("https://example.com/a", "https://example.com/{x}", "*");
        Subscriber other = SubscriberFor("https://example.com/b/c");
        foreach (Subscriber subscriber in new[] { exact, template, wildcard, all, other })
        {
            index.Add(subscriber);
        }

        var matches = new List<Subscriber>();
        index.Match(["https://example.com/a", "https://example.com/alt"], 1, matches);

        Assert.Equal(4, matches.Count);
        Assert.Equivalent(new[] { exact, template, wildcard, all }, matches);
    }

    [Fact]
    public void Removed_subscribers_are_no_longer_matched_and_empty_entries_go()
    {
        var index = new TopicIndex();
        Subscriber first = SubscriberFor("t", "{x}");
        Subscriber second = SubscriberFor("t");
        index.Add(first);
        index.Add(second);
        Assert.Equal(3, index.EntryCount);

        index.Remove(first);
        index.Remove(second);
        var matches = new List<Subscriber>();
        index.Match(["t"], 1, matches);

        Assert.Empty(matches);
        Assert.Equal(0, index.EntryCount);
    }

    [Fact]
    public void Each_dispatch_stamp_matches_a_subscriber_again()
    {
        var index = new TopicIndex();
        Subscriber subscriber = SubscriberFor("t");
        index.Add(subscriber);
        var matches = new List<Subscriber>();

        index.Match(["t"], 1, matches);
        index.Match(["t"], 2, matches);

        Assert.Equal([subscriber, subscriber], matches);
    }
}
