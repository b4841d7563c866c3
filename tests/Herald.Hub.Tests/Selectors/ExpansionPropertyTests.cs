using System.Text;
using Herald.Hub.Selectors;

namespace Herald.Hub.Tests.Selectors;

/// <summary>
/// Random level-4 templates expanded with random values by the reference expander: a template
/// must match every expansion of itself, and must not match strings that no expansion can be.
/// Seeds are fixed, so a failure reproduces.
/// </summary>
public sealed class ExpansionPropertyTests
{
    private const int TemplatesPerSeed = 300;
    private const int ValuesPerTemplate = 4;

    private static readonly string[] Operators = ["", "+", "#", ".", "/", ";", "?", "&"];
    private static readonly string[] Names = ["a", "b", "c", "d.e", "f_1", "g%20h"];
    private static readonly string[] LiteralPieces =
        ["a", "x", "Z", "0", "9", "/", "-", ".", "_", "~", ":", "?", "#", "[", "]", "@", "!", "$", "&", "(", ")", "*", "+", ",", ";", "=", "%2F", "%c3%a9", "\u00E9", "\U0001F600"];

    private static readonly string[] ValuePieces =
        ["a", "Z", "0", "-", ".", "_", "~", " ", "!", "\"", "#", "$", "%", "&", "'", "(", ")", "*", "+", ",", "/", ":", ";", "<", "=", ">", "?", "@", "[", "]", "^", "`", "{", "|", "}", "\u00E9", "\u20AC", "\U0001F600", "%41", "%e9"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Template_matches_every_expansion_of_itself(int seed)
    {
        var random = new Random(seed);
        for (int n = 0; n < TemplatesPerSeed; n++)
        {
            (string template, HashSet<string> prefixed) = RandomTemplate(random);
            Assert.True(TopicSelector.TryParse(template, out TopicSelector? selector, out string? error), $"{template}: {error}");

            for (int v = 0; v < ValuesPerTemplate; v++)
            {
                Dictionary<string, object?> values = RandomValues(random, prefixed);
                string topic = RfcExpander.Expand(template, values);
                Assert.True(selector.Matches(topic), $"{template} should match its expansion {topic}");
            }
        }
    }

    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Template_rejects_what_no_expansion_can_be(int seed)
    {
        var random = new Random(seed);
        int checkedSuffixes = 0;
        for (int n = 0; n < TemplatesPerSeed; n++)
        {
            (string template, HashSet<string> prefixed) = RandomTemplate(random);
            TopicSelector selector = TopicSelector.Parse(template);
            string suffix = template[(template.LastIndexOf('}') + 1)..];

            for (int v = 0; v < ValuesPerTemplate; v++)
            {
                string topic = RfcExpander.Expand(template, RandomValues(random, prefixed));

                // Expansion percent-encodes spaces and templates cannot hold one: no match has one.
                Assert.False(selector.Matches(topic + " "), $"{template} should not match '{topic} '");
                Assert.False(selector.Matches(" " + topic), $"{template} should not match ' {topic}'");

                // A template that ends with literal text only matches topics that end with it.
                if (topic.Length == 0)
                {
                    continue;
                }

                string shortened = topic[..^1];
                if (suffix.Length > 0 && !shortened.EndsWith(suffix, StringComparison.Ordinal))
                {
                    checkedSuffixes++;
                    Assert.False(selector.Matches(shortened), $"{template} should not match {shortened}");
                }
            }
        }

        Assert.True(checkedSuffixes > 100, $"only {checkedSuffixes} suffix checks ran");
    }

    /// <summary>A valid template, and the variables that carry a prefix modifier (strings only).</summary>
    private static (string Template, HashSet<string> Prefixed) RandomTemplate(Random random)
    {
        var template = new StringBuilder();
        var prefixed = new HashSet<string>(StringComparer.Ordinal);
        int parts = random.Next(1, 5);
        bool literalNext = random.Next(2) == 0;
        for (int p = 0; p < parts; p++, literalNext = !literalNext)
        {
            if (literalNext)
            {
                int pieces = random.Next(1, 4);
                for (int i = 0; i < pieces; i++)
                {
                    template.Append(Pick(random, LiteralPieces));
                }

                continue;
            }

            template.Append('{').Append(Pick(random, Operators));
            int variables = random.Next(1, 4);
            for (int i = 0; i < variables; i++)
            {
                string name = Pick(random, Names);
                template.Append(i == 0 ? "" : ",").Append(name);
                switch (random.Next(5))
                {
                    case 0:
                        template.Append(':').Append(random.Next(1, 9));
                        prefixed.Add(name);
                        break;
                    case 1:
                    case 2:
                        template.Append('*');
                        break;
                }
            }

            template.Append('}');
        }

        return (template.ToString(), prefixed);
    }

    private static Dictionary<string, object?> RandomValues(Random random, HashSet<string> prefixed)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (string name in Names)
        {
            // A prefix modifier does not apply to a list or an associative array.
            int kind = random.Next(prefixed.Contains(name) ? 2 : 4);
            values[name] = kind switch
            {
                0 => null,
                1 => RandomString(random),
                2 => Enumerable.Range(0, random.Next(0, 4)).Select(_ => RandomString(random)).ToArray(),
                _ => Enumerable.Range(0, random.Next(0, 4))
                    .Select(_ => new KeyValuePair<string, string>(RandomString(random), RandomString(random)))
                    .ToArray(),
            };
        }

        return values;
    }

    private static string RandomString(Random random)
    {
        var text = new StringBuilder();
        int length = random.Next(0, 7);
        for (int i = 0; i < length; i++)
        {
            text.Append(Pick(random, ValuePieces));
        }

        return text.ToString();
    }

    private static string Pick(Random random, string[] choices) => choices[random.Next(choices.Length)];
}
