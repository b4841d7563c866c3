using Herald.Hub.Selectors;

namespace Herald.Hub.Tests.Selectors;

/// <summary>
/// Expressions that contain '{' but are not RFC 6570 templates: TryParse says what is wrong (for a
/// 400 response), Parse compares them as exact strings and never throws.
/// </summary>
public sealed class InvalidTemplateTests
{
    public static TheoryData<string, string> InvalidTemplates() => new()
    {
        // Braces
        { "{/id*", "the '{' at index 0 is never closed by a '}'" },
        { "https://example.com/{id", "the '{' at index 20 is never closed" },
        { "/a}{b}", "the '}' at index 2 closes no expression" },
        { "/sparql{?query){&default-graph-uri*}", "the '{' at index 15 is inside the expression opened at index 7" },
        { "/a/{}", "the expression at index 3 is empty" },

        // Operators
        { "{!hello}", "the operator '!' at index 1 is reserved" },
        { "{=path}", "the operator '=' at index 1 is reserved" },
        { "{|var*}", "the operator '|' at index 1 is reserved" },
        { "{,x}", "the operator ',' at index 1 is reserved" },
        { "{@x}", "the operator '@' at index 1 is reserved" },

        // Variable names
        { "{??hello}", "a variable name was expected at index 2, not '?'" },
        { "{/?id}", "a variable name was expected at index 2, not '?'" },
        { "{$var}", "a variable name was expected at index 1, not '$'" },
        { "{*keys?}", "a variable name was expected at index 1, not '*'" },
        { "{var}{-prefix|/-/|var}", "a variable name was expected at index 6, not '-'" },
        { "/resolution{?x, y}", "a variable name was expected at index 15, not U+0020" },
        { "{x,}", "a variable name was expected at index 3" },
        { "{.}", "a variable name was expected at index 2" },
        { "{a..b}", "the '.' at index 2 in a variable name is not followed by" },
        { "{a.}", "the '.' at index 2 in a variable name is not followed by" },
        { "{a%2}", "the '%' at index 2 does not start a percent-encoded octet" },
        { "{a%zz}", "the '%' at index 2 does not start a percent-encoded octet" },
        { "{?empty=default,var}", "'=' at index 7 was found where ',' or '}' was expected" },
        { "/h{#hello+}", "'+' at index 9 was found where ',' or '}' was expected" },

        // Modifiers
        { "{var:prefix}", "the prefix length of 'var' at index 5 must be a whole number from 1 to 9999" },
        { "{var:}", "the prefix length of 'var' at index 5 must be" },
        { "{var:0}", "the prefix length of 'var' at index 5 must be" },
        { "{var:01}", "the prefix length of 'var' at index 5 must be" },
        { "{var:10000}", "the prefix length of 'var' at index 5 must be" },
        { "{hello:2*}", "the variable 'hello' at index 8 has both a prefix and an explode modifier" },
        { "{hello*:2}", "':' at index 7 was found where ',' or '}' was expected" },

        // Literals
        { "/books {id}", "U+0020 at index 6 is not allowed in a URI template" },
        { "/a\"b/{id}", "'\"' at index 2 is not allowed" },
        { "/a^b/{id}", "'^' at index 2 is not allowed" },
        { "/a|b/{id}", "'|' at index 2 is not allowed" },
        { "/a\tb/{id}", "U+0009 at index 2 is not allowed" },
        { "/a%zz/{id}", "the '%' at index 2 does not start a percent-encoded octet" },
        { "/a/{id}%4", "the '%' at index 7 does not start a percent-encoded octet" },
        { "/a/{id}\uFFFE", "U+FFFE at index 7 is not allowed" },

        // Too large a matcher for the linear-time engine
        { "{var:9999}", "too complex to match in linear time" },
    };

    [Theory]
    [MemberData(nameof(InvalidTemplates))]
    public void TryParse_fails_and_says_what_is_wrong(string template, string expected)
    {
        bool parsed = TopicSelector.TryParse(template, out TopicSelector? selector, out string? error);

        Assert.False(parsed);
        Assert.Null(selector);
        Assert.NotNull(error);
        Assert.StartsWith("Invalid URI template: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InvalidTemplates))]
    public void Parse_falls_back_to_an_exact_selector(string template, string expected)
    {
        _ = expected;
        TopicSelector selector = TopicSelector.Parse(template);

        Assert.Equal(TopicSelectorKind.Exact, selector.Kind);
        Assert.Equal(template, selector.Expression);
        Assert.True(selector.Matches(template));
        Assert.False(selector.Matches(template + "x"));
        Assert.False(selector.Matches("/a/1"));
    }

    [Theory]
    [InlineData("{a.b}")]
    [InlineData("{a%20b}")]
    [InlineData("{_}")]
    [InlineData("{A1,b_2}")]
    [InlineData("{x:9}")]
    [InlineData("{x:100}")]
    [InlineData("/caf\u00E9/\U0001F600/{id}")]
    [InlineData("/a%2F/{id}")]
    [InlineData("!#$&()*+,-./:;=?@[]_~{x}")]
    [InlineData("{keys:1}")]
    public void Unusual_but_valid_templates_parse(string template)
    {
        Assert.True(TopicSelector.TryParse(template, out TopicSelector? selector, out string? error), error);
        Assert.Equal(TopicSelectorKind.Template, selector.Kind);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("/id*}")]
    [InlineData("/a}b")]
    [InlineData("/books 1")]
    public void An_expression_without_an_opening_brace_is_exact_and_valid(string expression)
    {
        Assert.True(TopicSelector.TryParse(expression, out TopicSelector? selector, out string? error));
        Assert.Null(error);
        Assert.Equal(TopicSelectorKind.Exact, selector.Kind);
        Assert.True(selector.Matches(expression));
    }

    [Fact]
    public void A_lone_surrogate_is_not_a_valid_template()
    {
        // Built here rather than in theory data, which does not carry a lone surrogate intact.
        string template = "/a/{id}" + '\uD800';

        Assert.False(TopicSelector.TryParse(template, out _, out string? error));
        Assert.Contains("index 7 holds half of a UTF-16 surrogate pair", error, StringComparison.Ordinal);
        Assert.Equal(TopicSelectorKind.Exact, TopicSelector.Parse(template).Kind);
    }

    [Fact]
    public void A_name_with_a_percent_encoded_octet_is_written_as_is_by_named_operators()
    {
        TopicSelector selector = TopicSelector.Parse("{?a%20b}");

        Assert.True(selector.Matches("?a%20b=1"));
        Assert.False(selector.Matches("?a b=1"));
    }

    [Fact]
    public void Null_expressions_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => TopicSelector.Parse(null!));
        Assert.Throws<ArgumentNullException>(() => TopicSelector.TryParse(null!, out _, out _));
    }
}
