using BenchmarkDotNet.Attributes;
using Herald.Hub.Delivery;
using Herald.Hub.Selectors;

namespace Herald.Benchmarks;

/// <summary>
/// One topic selector tested against one update topic, the unit of work behind every delivery
/// decision and every authorization check: an exact selector, <c>*</c>, a simple URI template and a
/// level-4 template, each against a topic it selects and topics it does not; and what getting a
/// template costs, compiled from scratch (what a <see cref="TopicSelectorCache"/> miss does) or
/// found in the cache (what every later request naming it does). Reported per call.
/// </summary>
/// <remarks>
/// The selectors are parsed and the topics built in <c>[GlobalSetup]</c>, which also checks that
/// each selector gives the expected answer, so a row cannot silently measure the wrong outcome.
/// Not sealed because BenchmarkDotNet derives its runner from the class.
/// </remarks>
[MemoryDiagnoser]
public class TopicMatcherSelectorBenchmarks
{
    private const string ExactExpression = "https://example.com/books/42";
    private const string SimpleTemplate = "https://example.com/books/{id}";

    // Level 4: reserved expansion of a path and an exploded query. The literal prefix is short and
    // {+path} accepts almost anything a URL holds, so the regular expression sees most of the topic.
    private const string Level4Template = "https://example.com/{+path}{?q*}";

    private const string BookTopic = "https://example.com/books/42";

    // As long as the exact selector and equal to it but for the last character: the comparison
    // reads the whole string.
    private const string OtherBookTopic = "https://example.com/books/43";

    // Another resource: the ordinal prefix comparison rejects it before any regular expression runs.
    private const string OtherResourceTopic = "https://example.com/authors/42";

    // The template's prefix fits, so the regular expression runs and rejects the '/', which a
    // simple {id} expansion percent-encodes.
    private const string BookSubresourceTopic = "https://example.com/books/42/reviews";

    private const string ShelfQueryTopic = "https://example.com/shelves/3/books/42?lang=en&sort=title";

    // A raw space never comes out of an expansion: the prefix fits and the regular expression
    // reads the path and part of the query before it rejects the topic at the first space.
    private const string ShelfSpaceTopic = "https://example.com/shelves/3/books/42?q=war and peace";

    private readonly TopicSelectorCache _cache = new();

    // Topics and expressions are copies made at setup: an update's topic is a string parsed from a
    // request, never the instance a selector holds, so comparing them cannot stop at reference
    // equality (interned literals would be the same instance).
    private string _bookTopic = "";
    private string _otherBookTopic = "";
    private string _otherResourceTopic = "";
    private string _bookSubresourceTopic = "";
    private string _shelfQueryTopic = "";
    private string _shelfSpaceTopic = "";
    private string _simpleTemplate = "";
    private string _level4Template = "";
    private TopicSelector _exact = null!;
    private TopicSelector _wildcard = null!;
    private TopicSelector _simple = null!;
    private TopicSelector _level4 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bookTopic = Copy(BookTopic);
        _otherBookTopic = Copy(OtherBookTopic);
        _otherResourceTopic = Copy(OtherResourceTopic);
        _bookSubresourceTopic = Copy(BookSubresourceTopic);
        _shelfQueryTopic = Copy(ShelfQueryTopic);
        _shelfSpaceTopic = Copy(ShelfSpaceTopic);
        _simpleTemplate = Copy(SimpleTemplate);
        _level4Template = Copy(Level4Template);

        _exact = TopicSelector.Parse(ExactExpression);
        _wildcard = TopicSelector.Parse("*");
        _simple = TopicSelector.Parse(SimpleTemplate);
        _level4 = TopicSelector.Parse(Level4Template);
        _cache.Get(SimpleTemplate);
        _cache.Get(Level4Template);

        Expect(_exact, TopicSelectorKind.Exact, (_bookTopic, true), (_otherBookTopic, false));
        Expect(_wildcard, TopicSelectorKind.Wildcard, (_bookTopic, true));
        Expect(_simple, TopicSelectorKind.Template, (_bookTopic, true), (_otherResourceTopic, false), (_bookSubresourceTopic, false));
        Expect(_level4, TopicSelectorKind.Template, (_shelfQueryTopic, true), (_shelfSpaceTopic, false));
    }

    [Benchmark]
    public bool Exact_Match() => _exact.Matches(_bookTopic);

    [Benchmark]
    public bool Exact_NoMatch() => _exact.Matches(_otherBookTopic);

    [Benchmark]
    public bool Wildcard_Match() => _wildcard.Matches(_bookTopic);

    [Benchmark]
    public bool Template_Match() => _simple.Matches(_bookTopic);

    [Benchmark]
    public bool Template_NoMatch_Prefix() => _simple.Matches(_otherResourceTopic);

    [Benchmark]
    public bool Template_NoMatch_Regex() => _simple.Matches(_bookSubresourceTopic);

    [Benchmark]
    public bool Level4_Match() => _level4.Matches(_shelfQueryTopic);

    [Benchmark]
    public bool Level4_NoMatch_Regex() => _level4.Matches(_shelfSpaceTopic);

    /// <summary>Parse and compile: what a cache miss costs before the selector is stored.</summary>
    [Benchmark]
    public TopicSelector Template_Compile() => TopicSelector.Parse(_simpleTemplate);

    [Benchmark]
    public TopicSelector Level4_Compile() => TopicSelector.Parse(_level4Template);

    [Benchmark]
    public TopicSelector Template_CacheHit() => _cache.Get(_simpleTemplate);

    [Benchmark]
    public TopicSelector Level4_CacheHit() => _cache.Get(_level4Template);

    private static string Copy(string text) => new(text.AsSpan());

    private static void Expect(TopicSelector selector, TopicSelectorKind kind, params (string Topic, bool Matches)[] cases)
    {
        if (selector.Kind != kind)
        {
            throw new InvalidOperationException($"'{selector.Expression}' parsed as {selector.Kind}, expected {kind}.");
        }

        foreach ((string topic, bool matches) in cases)
        {
            if (selector.Matches(topic) != matches)
            {
                throw new InvalidOperationException($"'{selector.Expression}' should {(matches ? "" : "not ")}match '{topic}'.");
            }
        }
    }
}

/// <summary>How the subscribers of <see cref="TopicMatcherIndexBenchmarks"/> subscribe.</summary>
public enum SubscriptionPopulation
{
    /// <summary>Each subscriber names its own exact topic; one of them is the update's.</summary>
    DistinctExact,

    /// <summary>Every subscriber uses the same template, which selects the update's topic.</summary>
    SameTemplate,

    /// <summary>
    /// 100 templates differing in a literal path segment (fewer when there are fewer subscribers),
    /// subscriber i using template i mod 100; template 0 selects the update's topic.
    /// </summary>
    HundredTemplates,
}

/// <summary>
/// The lookup the hub does for every published update: <see cref="TopicIndex.Match"/> over N
/// subscriptions, finding the subscribers whose selectors match the update's topic (exact topics by
/// dictionary lookup, each distinct template evaluated once) and collecting them into the hub's
/// reused list. <c>Lookup</c> uses a topic that some subscribers want (one for distinct exact topics,
/// all N for one shared template, N/100 for 100 templates); <c>Lookup_NoSubscriber</c> one that
/// nobody wants, which isolates the cost of evaluating the selectors from that of collecting the
/// matches. Reported per lookup.
/// </summary>
/// <remarks>
/// Selectors come from a shared <see cref="TopicSelectorCache"/>, as the subscribe endpoint gets
/// them; subscribers are real <see cref="Subscriber"/>s that are never written to. The setup checks
/// how many subscribers each topic matches. Not sealed because BenchmarkDotNet derives its runner
/// from the class.
/// </remarks>
[MemoryDiagnoser]
public class TopicMatcherIndexBenchmarks
{
    private const int TemplateCount = 100;
    private const string UnwantedTopic = "https://example.com/authors/7";

    private readonly TopicIndex _index = new();
    private readonly List<Subscriber> _subscribers = [];
    private readonly List<Subscriber> _matches = [];
    private string[] _wantedTopics = [];
    private string[] _unwantedTopics = [];
    private long _stamp;

    [Params(1, 100, 10_000)]
    public int Subscriptions { get; set; }

    [Params(SubscriptionPopulation.DistinctExact, SubscriptionPopulation.SameTemplate, SubscriptionPopulation.HundredTemplates)]
    public SubscriptionPopulation Population { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var cache = new TopicSelectorCache();
        for (int i = 0; i < Subscriptions; i++)
        {
            string expression = Population switch
            {
                SubscriptionPopulation.DistinctExact => $"https://example.com/books/{i}",
                SubscriptionPopulation.SameTemplate => "https://example.com/books/{id}",
                _ => $"https://example.com/feeds/{i % TemplateCount}/{{id}}",
            };
            var subscriber = new Subscriber($"urn:uuid:{Guid.NewGuid()}", [cache.Get(expression)], null, null, 16, long.MaxValue, 0);
            _subscribers.Add(subscriber);
            _index.Add(subscriber);
        }

        // string[], as the publish endpoint builds an update's topics.
        (string wanted, int expected) = Population switch
        {
            SubscriptionPopulation.DistinctExact => ($"https://example.com/books/{Subscriptions / 2}", 1),
            SubscriptionPopulation.SameTemplate => ("https://example.com/books/42", Subscriptions),
            _ => ("https://example.com/feeds/0/item-42", (Subscriptions + TemplateCount - 1) / TemplateCount),
        };
        _wantedTopics = [wanted];
        _unwantedTopics = [UnwantedTopic];

        if (Lookup() != expected || Lookup_NoSubscriber() != 0)
        {
            throw new InvalidOperationException($"{Population} x {Subscriptions}: '{wanted}' should match {expected} subscribers and '{UnwantedTopic}' none.");
        }
    }

    [Benchmark]
    public int Lookup() => Match(_wantedTopics);

    [Benchmark]
    public int Lookup_NoSubscriber() => Match(_unwantedTopics);

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (Subscriber subscriber in _subscribers)
        {
            _index.Remove(subscriber);
        }

        _subscribers.Clear();
    }

    private int Match(string[] topics)
    {
        // A new stamp per lookup, as the hub passes each update's sequence; the list is cleared
        // after use, as the hub's dispatch does.
        _index.Match(topics, ++_stamp, _matches);
        int matched = _matches.Count;
        _matches.Clear();
        return matched;
    }
}
