using System.Globalization;
using System.Text;
using Herald.Hub.Selectors;

namespace Herald.Hub.Tests.Selectors;

/// <summary>
/// Selectors built to make a backtracking matcher take exponential time. The non-backtracking
/// engine matches in time linear in the topic, so these simply return; no timing is asserted.
/// </summary>
public sealed class PathologicalSelectorTests
{
    private static readonly string LongTopic = new('a', 100_000);

    [Theory]
    [InlineData("")]
    [InlineData("+")]
    [InlineData(".")]
    public void Many_adjacent_expressions_against_a_long_topic_return(string op)
    {
        var template = new StringBuilder();
        for (int i = 0; i < 40; i++)
        {
            template.Append('{').Append(op).Append(string.Create(CultureInfo.InvariantCulture, $"v{i}")).Append('}');
        }

        TopicSelector selector = TopicSelector.Parse(template.ToString());
        Assert.Equal(TopicSelectorKind.Template, selector.Kind);

        // The last character cannot come from any variable: every way of splitting the 'a's among
        // the forty variables fails, which a backtracking matcher would try one by one.
        Assert.False(selector.Matches(LongTopic + " "));
        Assert.True(selector.Matches(op == "." ? "." + LongTopic : LongTopic));
    }

    [Fact]
    public void Many_variables_in_one_expression_against_a_long_topic_return()
    {
        string names = string.Join(',', Enumerable.Range(0, 40).Select(i => string.Create(CultureInfo.InvariantCulture, $"v{i}*")));
        TopicSelector selector = TopicSelector.Parse("{/" + names + "}");
        Assert.Equal(TopicSelectorKind.Template, selector.Kind);

        string segments = string.Concat(Enumerable.Repeat("/a", 20_000));
        Assert.True(selector.Matches(segments));
        Assert.False(selector.Matches(segments + "/!"));
    }

    [Fact]
    public void Adjacent_prefixes_against_a_long_topic_return()
    {
        TopicSelector selector = TopicSelector.Parse("{a:50}{b:50}{c:50}{d:50}{e}");
        Assert.Equal(TopicSelectorKind.Template, selector.Kind);

        Assert.True(selector.Matches(LongTopic));
        Assert.False(selector.Matches(LongTopic + "%"));
    }

    [Fact]
    public void Nested_ambiguity_between_separators_and_values_returns()
    {
        // '.' both separates exploded label values and may appear inside them.
        TopicSelector selector = TopicSelector.Parse("{.a*,b*,c*,d*}x");

        string dots = string.Concat(Enumerable.Repeat(".a", 30_000));
        Assert.True(selector.Matches(dots + "x"));
        Assert.False(selector.Matches(dots + "y"));
    }
}
