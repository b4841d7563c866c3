#pragma warning disable
namespace Herald.Hub.Selectors;
public enum TopicSelectorKind { Wildcard, Exact, Template }
public abstract class TopicSelector
{
    public string Expression { get; init; } = "";
    public TopicSelectorKind Kind { get; init; }
    public abstract bool Matches(string topic);
    public static bool TryParse(string e, out TopicSelector? s, out string? error) { s = new Simple { Expression = e, Kind = e == "*" ? TopicSelectorKind.Wildcard : e.Contains('{') ? TopicSelectorKind.Template : TopicSelectorKind.Exact }; error = null; return true; }
    sealed class Simple : TopicSelector { public override bool Matches(string topic) => Kind == TopicSelectorKind.Wildcard || (Kind == TopicSelectorKind.Template ? System.Text.RegularExpressions.Regex.IsMatch(topic, "^" + System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Escape(Expression), @"\\\{[^}]*}", "[^/]*") + "$") : topic == Expression); }
}
public sealed class TopicSelectorCache
{
    public TopicSelectorCache(int capacity = 10000) { }
    public bool TryGet(string e, out TopicSelector? s, out string? error) => TopicSelector.TryParse(e, out s, out error);
    public TopicSelector Get(string e) { TopicSelector.TryParse(e, out var s, out _); return s!; }
    public bool MatchesAny(IReadOnlyList<string> selectors, IReadOnlyList<string> topics) { foreach (var s in selectors) foreach (var t in topics) if (Get(s).Matches(t)) return true; return false; }
    public bool MatchesAny(IReadOnlyList<string> selectors, string topic) => MatchesAny(selectors, new[] { topic });
}
