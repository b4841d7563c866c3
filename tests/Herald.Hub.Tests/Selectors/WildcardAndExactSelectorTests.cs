using Herald.Hub.Selectors;

namespace Herald.Hub.Tests.Selectors;

/// <summary>The selector "*", and selectors compared as plain strings.</summary>
public sealed class WildcardAndExactSelectorTests
{
    [Theory]
    [InlineData("")]
    [InlineData("https://example.com/books/1")]
    [InlineData("{id}")]
    [InlineData("not a URI at all")]
    public void Wildcard_matches_every_topic(string topic)
    {
        TopicSelector selector = TopicSelector.Parse("*");

        Assert.Equal(TopicSelectorKind.Wildcard, selector.Kind);
        Assert.Equal("*", selector.Expression);
        Assert.True(selector.Matches(topic));
    }

    [Fact]
    public void Wildcard_is_one_shared_instance()
    {
        Assert.Same(TopicSelector.Parse("*"), TopicSelector.Parse("*"));
    }

    [Theory]
    [InlineData("**")]
    [InlineData(" *")]
    [InlineData("*/books")]
    [InlineData("https://example.com/*")]
    public void Only_a_lone_star_is_the_wildcard(string expression)
    {
        TopicSelector selector = TopicSelector.Parse(expression);

        Assert.Equal(TopicSelectorKind.Exact, selector.Kind);
        Assert.True(selector.Matches(expression));
        Assert.False(selector.Matches("https://example.com/books/1"));
    }

    [Theory]
    [InlineData("https://example.com/books/1", true)]
    [InlineData("https://example.com/books/1/", false)]
    [InlineData("HTTPS://example.com/books/1", false)]
    [InlineData("https://EXAMPLE.com/books/1", false)]
    [InlineData("https://example.com/Books/1", false)]
    [InlineData("https://example.com/books/%31", false)]
    [InlineData("https://example.com:443/books/1", false)]
    [InlineData("https://example.com/books/1 ", false)]
    [InlineData("https://example.com/books/", false)]
    [InlineData("", false)]
    public void Exact_selector_compares_ordinally_without_normalisation(string topic, bool expected)
    {
        TopicSelector selector = TopicSelector.Parse("https://example.com/books/1");

        Assert.Equal(TopicSelectorKind.Exact, selector.Kind);
        Assert.Equal(expected, selector.Matches(topic));
    }

    [Fact]
    public void Exact_selector_is_case_sensitive_beyond_ascii()
    {
        TopicSelector selector = TopicSelector.Parse("/\u00C9t\u00E9");

        Assert.True(selector.Matches("/\u00C9t\u00E9"));
        Assert.False(selector.Matches("/\u00E9t\u00E9"));

        // Canonically equivalent but differently composed: still a different topic.
        Assert.False(selector.Matches("/E\u0301t\u00E9"));
    }

    [Fact]
    public void Empty_expression_is_an_exact_selector_for_the_empty_topic()
    {
        TopicSelector selector = TopicSelector.Parse("");

        Assert.Equal(TopicSelectorKind.Exact, selector.Kind);
        Assert.True(selector.Matches(""));
        Assert.False(selector.Matches("a"));
    }

    [Fact]
    public void Exact_and_wildcard_selectors_reject_a_null_topic()
    {
        Assert.Throws<ArgumentNullException>(() => TopicSelector.Parse("/a").Matches(null!));
        Assert.Throws<ArgumentNullException>(() => TopicSelector.Parse("*").Matches(null!));
    }
}
