namespace Herald.Hub.Selectors;

/// <summary>The selector <c>*</c>, which matches every topic.</summary>
internal sealed class WildcardTopicSelector : TopicSelector
{
    /// <summary>The expression that stands for every topic.</summary>
    public const string WildcardExpression = "*";

    /// <summary>The one instance: the wildcard has no state, so there is no reason for a second.</summary>
    public static readonly WildcardTopicSelector Instance = new();

    private WildcardTopicSelector()
        : base(WildcardExpression, TopicSelectorKind.Wildcard)
    {
    }

    public override bool Matches(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return true;
    }
}
