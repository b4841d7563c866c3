using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Herald.Hub.Selectors;

/// <summary>
/// Parsed selectors by expression, so that each template is compiled once and reused by every
/// request that names it. Safe for concurrent use.
/// </summary>
/// <remarks>
/// <para>The cache holds at most <see cref="Capacity"/> selectors, so that a client sending endless
/// distinct selectors cannot grow memory without bound. It keeps two generations of at most half
/// the capacity each: new selectors go into the current one, and when it is full it becomes the
/// previous one and the old previous generation is dropped whole. A selector found in the previous
/// generation moves back into the current one, so selectors in steady use stay; eviction costs no
/// bookkeeping on a hit.</para>
/// <para>Lookups that hit take no lock. A miss compiles outside any lock (a slow template does not
/// hold up other requests); when two threads miss on the same expression at once, one compiled
/// selector is kept and both get it.</para>
/// </remarks>
public sealed class TopicSelectorCache
{
    /// <summary>The capacity of a cache made without one: 10,000 selectors.</summary>
    public const int DefaultCapacity = 10_000;

    private readonly int _generationCapacity;
    private readonly Lock _gate = new();

    // Written only under _gate; read without it. A reader that sees a generation just rotated out
    // at worst misses and compiles again, which is still correct.
    private volatile ConcurrentDictionary<string, Entry> _current = NewGeneration();
    private volatile ConcurrentDictionary<string, Entry> _previous = NewGeneration();

    /// <summary>A cache of at most <see cref="DefaultCapacity"/> selectors.</summary>
    public TopicSelectorCache()
        : this(DefaultCapacity)
    {
    }

    /// <summary>A cache of at most <paramref name="capacity"/> selectors.</summary>
    /// <param name="capacity">The most selectors kept at once; at least 2 (one per generation).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 2.</exception>
    public TopicSelectorCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        Capacity = capacity;
        _generationCapacity = capacity / 2;
    }

    /// <summary>The most selectors the cache keeps at once.</summary>
    public int Capacity { get; }

    /// <summary>How many selectors the cache holds now (never more than <see cref="Capacity"/>).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _current.Count + _previous.Count;
            }
        }
    }

    /// <summary>
    /// The selector for <paramref name="expression"/>, parsed as by <see cref="TopicSelector.Parse"/>
    /// (an invalid template is an exact selector) and compiled on first use only.
    /// </summary>
    /// <param name="expression">The selector expression.</param>
    /// <returns>The selector; the same instance for the same expression while it stays cached.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="expression"/> is <see langword="null"/>.</exception>
    public TopicSelector Get(string expression) => GetEntry(expression).Selector;

    /// <summary>
    /// The selector for <paramref name="expression"/> as by <see cref="TopicSelector.TryParse"/>:
    /// fails for an expression that contains <c>{</c> but is not a valid URI template, with the reason.
    /// The outcome is cached like <see cref="Get"/>'s, so validating a selector on every request costs
    /// one lookup.
    /// </summary>
    /// <param name="expression">The selector expression.</param>
    /// <param name="selector">The selector, or <see langword="null"/> when the template is invalid.</param>
    /// <param name="error">What is wrong with an invalid template, fit for a 400 response; otherwise <see langword="null"/>.</param>
    /// <returns><see langword="true"/> unless the expression is an invalid template.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="expression"/> is <see langword="null"/>.</exception>
    public bool TryGet(
        string expression,
        [NotNullWhen(true)] out TopicSelector? selector,
        [NotNullWhen(false)] out string? error)
    {
        Entry entry = GetEntry(expression);
        error = entry.Error;
        selector = error is null ? entry.Selector : null;
        return error is null;
    }

    /// <summary>Whether any of <paramref name="selectors"/> matches <paramref name="topic"/>.</summary>
    /// <param name="selectors">Selector expressions, for instance a token's <c>mercure.publish</c> claim.</param>
    /// <param name="topic">The topic (or selector) to authorize.</param>
    /// <returns><see langword="true"/> when one selector matches; <see langword="false"/> for no selectors.</returns>
    /// <exception cref="ArgumentNullException">An argument or a selector is <see langword="null"/>.</exception>
    public bool MatchesAny(IReadOnlyList<string> selectors, string topic)
    {
        ArgumentNullException.ThrowIfNull(selectors);
        ArgumentNullException.ThrowIfNull(topic);
        for (int i = 0; i < selectors.Count; i++)
        {
            if (Get(selectors[i]).Matches(topic))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether any of <paramref name="selectors"/> matches any of <paramref name="topics"/>.</summary>
    /// <param name="selectors">Selector expressions, for instance a token's <c>mercure.subscribe</c> claim.</param>
    /// <param name="topics">Topics (an update's topic and alternates), or selectors to authorize.</param>
    /// <returns><see langword="true"/> when one selector matches one topic; <see langword="false"/> when either list is empty.</returns>
    /// <exception cref="ArgumentNullException">An argument, a selector or a topic is <see langword="null"/>.</exception>
    public bool MatchesAny(IReadOnlyList<string> selectors, IReadOnlyList<string> topics)
    {
        ArgumentNullException.ThrowIfNull(selectors);
        ArgumentNullException.ThrowIfNull(topics);
        for (int i = 0; i < selectors.Count; i++)
        {
            TopicSelector selector = Get(selectors[i]);
            for (int j = 0; j < topics.Count; j++)
            {
                if (selector.Matches(topics[j]))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private Entry GetEntry(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (_current.TryGetValue(expression, out Entry? entry))
        {
            return entry;
        }

        if (!_previous.TryGetValue(expression, out entry))
        {
            entry = Entry.Create(expression);
        }

        lock (_gate)
        {
            ConcurrentDictionary<string, Entry> current = _current;
            if (current.TryGetValue(expression, out Entry? winner))
            {
                return winner;
            }

            if (current.Count >= _generationCapacity)
            {
                _previous = current;
                current = NewGeneration();
                _current = current;
            }

            current[expression] = entry;

            // Promoted out of the previous generation (if it was there): one copy, counted once.
            _previous.TryRemove(expression, out _);
            return entry;
        }
    }

    private static ConcurrentDictionary<string, Entry> NewGeneration() => new(StringComparer.Ordinal);

    /// <summary>A parsed selector, and why its expression is not a valid template when it is not.</summary>
    private sealed class Entry
    {
        private Entry(TopicSelector selector, string? error)
        {
            Selector = selector;
            Error = error;
        }

        public TopicSelector Selector { get; }

        public string? Error { get; }

        public static Entry Create(string expression) =>
            TopicSelector.TryParse(expression, out TopicSelector? selector, out string? error)
                ? new Entry(selector, null)
                : new Entry(new ExactTopicSelector(expression), error);
    }
}
