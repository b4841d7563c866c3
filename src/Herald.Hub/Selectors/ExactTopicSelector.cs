namespace Herald.Hub.Selectors;

/// <summary>
/// A selector that matches one topic: the expression itself, compared ordinally (case-sensitive,
/// no normalisation of percent-encoding, case or trailing slashes), as the Mercure protocol compares
/// topics.
/// </summary>
internal sealed class ExactTopicSelector : TopicSelector
{
    public ExactTopicSelector(string expression)
        : base(expression, TopicSelectorKind.Exact)
    {
    }

    public override bool Matches(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return string.Equals(topic, Expression, StringComparison.Ordinal);
    }
}
