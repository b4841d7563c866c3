using Herald.Hub.Selectors;

namespace Herald.Hub.Delivery;

/// <summary>
/// Finds the subscribers an update goes to without testing every subscriber: exact selectors are
/// looked up by topic, <c>*</c> subscribers are one set, and each distinct template is evaluated
/// once per topic however many subscribers share it.
/// </summary>
internal sealed class TopicIndex
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<Subscriber>> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TemplateEntry> _templates = new(StringComparer.Ordinal);
    private readonly HashSet<Subscriber> _wildcard = [];

    /// <summary>How many (selector, subscriber) entries the index holds.</summary>
    public int EntryCount { get; private set; }

    public void Add(Subscriber subscriber)
    {
        lock (_lock)
        {
            foreach (TopicSelector selector in subscriber.Selectors)
            {
                bool added = selector.Kind switch
                {
                    TopicSelectorKind.Wildcard => _wildcard.Add(subscriber),
                    TopicSelectorKind.Exact => SetFor(_exact, selector.Expression).Add(subscriber),
                    _ => TemplateFor(selector).Subscribers.Add(subscriber),
                };
                if (added)
                {
                    EntryCount++;
                }
            }
        }
    }

    public void Remove(Subscriber subscriber)
    {
        lock (_lock)
        {
            foreach (TopicSelector selector in subscriber.Selectors)
            {
                bool removed;
                switch (selector.Kind)
                {
                    case TopicSelectorKind.Wildcard:
                        removed = _wildcard.Remove(subscriber);
                        break;
                    case TopicSelectorKind.Exact:
                        removed = _exact.TryGetValue(selector.Expression, out HashSet<Subscriber>? set) && set.Remove(subscriber);
                        if (removed && set!.Count == 0)
                        {
                            _exact.Remove(selector.Expression);
                        }

                        break;
                    default:
                        removed = _templates.TryGetValue(selector.Expression, out TemplateEntry? entry) && entry.Subscribers.Remove(subscriber);
                        if (removed && entry!.Subscribers.Count == 0)
                        {
                            _templates.Remove(selector.Expression);
                        }

                        break;
                }

                if (removed)
                {
                    EntryCount--;
                }
            }
        }
    }

    /// <summary>
    /// Adds to <paramref name="matches"/> each subscriber with a selector matching one of the
    /// update's topics, once. <paramref name="stamp"/> must differ from every earlier call's
    /// (the update's sequence); calls must not overlap.
    /// </summary>
    public void Match(IReadOnlyList<string> topics, long stamp, List<Subscriber> matches)
    {
        lock (_lock)
        {
            // Indexed loops: a foreach over the IReadOnlyList would allocate an enumerator per
            // update, and one more per template.
            AddAll(_wildcard, stamp, matches);
            for (int i = 0; i < topics.Count; i++)
            {
                if (_exact.TryGetValue(topics[i], out HashSet<Subscriber>? set))
                {
                    AddAll(set, stamp, matches);
                }
            }

            foreach (TemplateEntry entry in _templates.Values)
            {
                for (int i = 0; i < topics.Count; i++)
                {
                    if (entry.Selector.Matches(topics[i]))
                    {
                        AddAll(entry.Subscribers, stamp, matches);
                        break;
                    }
                }
            }
        }
    }

    private static void AddAll(HashSet<Subscriber> subscribers, long stamp, List<Subscriber> matches)
    {
        foreach (Subscriber subscriber in subscribers)
        {
            if (subscriber.DispatchStamp != stamp)
            {
                subscriber.DispatchStamp = stamp;
                matches.Add(subscriber);
            }
        }
    }

    private static HashSet<Subscriber> SetFor(Dictionary<string, HashSet<Subscriber>> sets, string key)
    {
        if (!sets.TryGetValue(key, out HashSet<Subscriber>? set))
        {
            set = [];
            sets.Add(key, set);
        }

        return set;
    }

    private TemplateEntry TemplateFor(TopicSelector selector)
    {
        if (!_templates.TryGetValue(selector.Expression, out TemplateEntry? entry))
        {
            entry = new TemplateEntry(selector);
            _templates.Add(selector.Expression, entry);
        }

        return entry;
    }

    private sealed class TemplateEntry(TopicSelector selector)
    {
        public TopicSelector Selector { get; } = selector;

        public HashSet<Subscriber> Subscribers { get; } = [];
    }
}
