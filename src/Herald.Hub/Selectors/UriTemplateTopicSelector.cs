using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Herald.Hub.Selectors;

/// <summary>
/// A selector that is an RFC 6570 URI template, compiled once into a regular expression run by the
/// non-backtracking engine: matching takes time linear in the topic's length whatever the template,
/// so a hostile selector cannot stall the hub.
/// </summary>
/// <remarks>
/// The literal text the template starts and ends with (usually a long URL prefix) is compared
/// ordinally and left out of the regular expression. Most topics fail that comparison at once, and
/// the non-backtracking engine's construction cost grows with the number of distinct characters in
/// the pattern, which a URL's literal text is full of.
/// </remarks>
internal sealed class UriTemplateTopicSelector : TopicSelector
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    private readonly string _prefix;
    private readonly string _suffix;
    private readonly Regex _middle;

    private UriTemplateTopicSelector(string template, string prefix, string suffix, Regex middle)
        : base(template, TopicSelectorKind.Template)
    {
        _prefix = prefix;
        _suffix = suffix;
        _middle = middle;
    }

    public static bool TryCreate(
        string template,
        [NotNullWhen(true)] out UriTemplateTopicSelector? selector,
        [NotNullWhen(false)] out string? error)
    {
        selector = null;
        if (!UriTemplateParser.TryParse(template, out IReadOnlyList<UriTemplatePart>? parts, out error))
        {
            return false;
        }

        // A template with a '{' has an expression, and the parser merges adjacent literal text, so a
        // leading and a trailing literal are never the same part.
        int start = 0;
        int end = parts.Count;
        string prefix = "";
        string suffix = "";
        if (parts[0] is UriTemplateLiteral first)
        {
            prefix = first.Text;
            start++;
        }

        if (parts[^1] is UriTemplateLiteral last)
        {
            suffix = last.Text;
            end--;
        }

        Regex middle;
        try
        {
            middle = new Regex(UriTemplateRegex.Build(parts.Take(end).Skip(start).ToList()), Options);
        }
        catch (NotSupportedException)
        {
            // The non-backtracking engine refuses patterns whose automaton could grow too large,
            // which here means long prefixes ({var:n} unrolls n times) or very many expressions.
            error = "Invalid URI template: it is too complex to match in linear time (use fewer expressions or variables, or shorter prefix modifiers).";
            return false;
        }

        selector = new UriTemplateTopicSelector(template, prefix, suffix, middle);
        return true;
    }

    public override bool Matches(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);

        // A template also selects itself: the Mercure spec matches selectors against selectors for
        // authorization, and a token granting "/books/{id}" must allow subscribing to "/books/{id}".
        if (string.Equals(topic, Expression, StringComparison.Ordinal))
        {
            return true;
        }

        int middleLength = topic.Length - _prefix.Length - _suffix.Length;
        return middleLength >= 0
            && topic.StartsWith(_prefix, StringComparison.Ordinal)
            && topic.EndsWith(_suffix, StringComparison.Ordinal)
            && _middle.IsMatch(topic.AsSpan(_prefix.Length, middleLength));
    }
}
