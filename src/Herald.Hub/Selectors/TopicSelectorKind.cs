namespace Herald.Hub.Selectors;

/// <summary>
/// How a <see cref="TopicSelector"/> matches topics, so that a topic index can file each kind where
/// it is cheapest to find: exact selectors in a dictionary keyed by topic, wildcards in a list that
/// every topic reaches, and templates in a list that is scanned.
/// </summary>
public enum TopicSelectorKind
{
    /// <summary><c>*</c>: matches every topic.</summary>
    Wildcard,

    /// <summary>Matches exactly one topic, the <see cref="TopicSelector.Expression"/> itself (ordinal comparison).</summary>
    Exact,

    /// <summary>An RFC 6570 URI template: matches every topic that some expansion of the template produces.</summary>
    Template,
}
