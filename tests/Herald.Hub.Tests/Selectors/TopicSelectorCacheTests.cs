using System.Globalization;
using Herald.Hub.Selectors;

namespace Herald.Hub.Tests.Selectors;

/// <summary>The shared cache of compiled selectors: reuse, bounds, validation and concurrent use.</summary>
public sealed class TopicSelectorCacheTests
{
    private static string Template(int i) => string.Create(CultureInfo.InvariantCulture, $"https://example.com/{i}/{{id}}");

    [Fact]
    public void Same_expression_gives_the_same_compiled_selector()
    {
        var cache = new TopicSelectorCache();

        TopicSelector first = cache.Get("https://example.com/books/{id}");
        TopicSelector second = cache.Get("https://example.com/books/{id}");

        Assert.Same(first, second);
        Assert.Equal(TopicSelectorKind.Template, first.Kind);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Get_parses_every_kind_and_falls_back_to_exact_for_an_invalid_template()
    {
        var cache = new TopicSelectorCache();

        Assert.Equal(TopicSelectorKind.Wildcard, cache.Get("*").Kind);
        Assert.Equal(TopicSelectorKind.Exact, cache.Get("/books/1").Kind);
        Assert.Equal(TopicSelectorKind.Template, cache.Get("/books/{id}").Kind);

        TopicSelector invalid = cache.Get("/books/{id");
        Assert.Equal(TopicSelectorKind.Exact, invalid.Kind);
        Assert.True(invalid.Matches("/books/{id"));
        Assert.False(invalid.Matches("/books/1"));
    }

    [Fact]
    public void TryGet_reports_an_invalid_template_every_time_it_is_asked()
    {
        var cache = new TopicSelectorCache();

        for (int attempt = 0; attempt < 2; attempt++)
        {
            Assert.False(cache.TryGet("/books/{id", out TopicSelector? selector, out string? error));
            Assert.Null(selector);
            Assert.Contains("never closed", error, StringComparison.Ordinal);
        }

        // Get and TryGet share the entry: the fallback is still there for Get.
        Assert.Equal(TopicSelectorKind.Exact, cache.Get("/books/{id").Kind);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void TryGet_returns_the_cached_selector_of_a_valid_expression()
    {
        var cache = new TopicSelectorCache();
        TopicSelector selector = cache.Get("/books/{id}");

        Assert.True(cache.TryGet("/books/{id}", out TopicSelector? found, out string? error));
        Assert.Same(selector, found);
        Assert.Null(error);
        Assert.True(cache.TryGet("*", out found, out _));
        Assert.Equal(TopicSelectorKind.Wildcard, found.Kind);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(100)]
    public void Count_never_exceeds_the_capacity(int capacity)
    {
        var cache = new TopicSelectorCache(capacity);

        for (int i = 0; i < 3 * capacity; i++)
        {
            cache.Get(Template(i));
            Assert.InRange(cache.Count, 1, capacity);
        }
    }

    [Fact]
    public void Old_entries_are_evicted_once_the_cache_is_full()
    {
        var cache = new TopicSelectorCache(10);
        TopicSelector early = cache.Get(Template(0));

        for (int i = 1; i < 30; i++)
        {
            cache.Get(Template(i));
        }

        TopicSelector again = cache.Get(Template(0));
        Assert.NotSame(early, again);
        Assert.Equal(early.Expression, again.Expression);
    }

    [Fact]
    public void A_selector_in_steady_use_survives_eviction()
    {
        var cache = new TopicSelectorCache(10);
        TopicSelector hot = cache.Get("/hot/{id}");

        for (int i = 0; i < 100; i++)
        {
            cache.Get(Template(i));
            Assert.Same(hot, cache.Get("/hot/{id}"));
        }
    }

    [Fact]
    public void Capacity_defaults_to_ten_thousand_and_must_allow_two_generations()
    {
        Assert.Equal(10_000, new TopicSelectorCache().Capacity);
        Assert.Equal(TopicSelectorCache.DefaultCapacity, new TopicSelectorCache().Capacity);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TopicSelectorCache(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TopicSelectorCache(0));
    }

    [Fact]
    public void Concurrent_gets_share_one_selector_per_expression()
    {
        const int Threads = 8;
        const int Expressions = 200;
        var cache = new TopicSelectorCache();
        var results = new TopicSelector[Threads][];
        using var start = new Barrier(Threads);

        RunOnThreads(Threads, t =>
        {
            start.SignalAndWait();
            results[t] = new TopicSelector[Expressions];

            // Half the threads start at the first expression, so that they miss on the same ones at
            // once; the other half start midway, and meet what the first half compiled.
            for (int n = 0; n < Expressions; n++)
            {
                int i = (n + ((t % 2) * (Expressions / 2))) % Expressions;
                results[t][i] = cache.Get(Template(i));
            }
        });

        for (int i = 0; i < Expressions; i++)
        {
            for (int t = 1; t < Threads; t++)
            {
                Assert.Same(results[0][i], results[t][i]);
            }

            Assert.True(results[0][i].Matches(string.Create(CultureInfo.InvariantCulture, $"https://example.com/{i}/x")));
        }

        Assert.Equal(Expressions, cache.Count);
    }

    [Fact]
    public void Concurrent_gets_past_the_capacity_stay_bounded_and_correct()
    {
        const int Threads = 8;
        const int Capacity = 16;
        var cache = new TopicSelectorCache(Capacity);
        var failures = new int[Threads];
        using var start = new Barrier(Threads);

        RunOnThreads(Threads, t =>
        {
            start.SignalAndWait();
            for (int n = 0; n < 200; n++)
            {
                int i = ((n * 7) + t) % 40;
                TopicSelector selector = cache.Get(Template(i));
                if (!selector.Matches(string.Create(CultureInfo.InvariantCulture, $"https://example.com/{i}/x"))
                    || selector.Matches("https://example.com/other/x")
                    || cache.Count > Capacity)
                {
                    failures[t]++;
                }
            }
        });

        Assert.All(failures, count => Assert.Equal(0, count));
        Assert.InRange(cache.Count, 1, Capacity);
    }

    [Fact]
    public void MatchesAny_is_true_when_one_selector_matches_the_topic()
    {
        var cache = new TopicSelectorCache();
        string[] claim = ["https://example.com/users/1", "https://example.com/books/{id}"];

        Assert.True(cache.MatchesAny(claim, "https://example.com/books/42"));
        Assert.True(cache.MatchesAny(claim, "https://example.com/users/1"));
        Assert.False(cache.MatchesAny(claim, "https://example.com/users/2"));
        Assert.False(cache.MatchesAny([], "https://example.com/books/42"));
        Assert.True(cache.MatchesAny(["*"], "anything"));

        // A selector in a claim authorizes a subscription to the same selector.
        Assert.True(cache.MatchesAny(claim, "https://example.com/books/{id}"));
        Assert.False(cache.MatchesAny(claim, "https://example.com/{collection}/{id}"));
    }

    [Fact]
    public void MatchesAny_of_topics_is_true_when_any_selector_matches_any_topic()
    {
        var cache = new TopicSelectorCache();
        string[] claim = ["https://example.com/users/1", "https://example.com/books/{id}"];

        Assert.True(cache.MatchesAny(claim, ["https://example.com/other", "https://example.com/books/42"]));
        Assert.True(cache.MatchesAny(claim, ["https://example.com/users/1"]));
        Assert.False(cache.MatchesAny(claim, ["https://example.com/other", "https://example.com/books/42/x"]));
        Assert.False(cache.MatchesAny(claim, Array.Empty<string>()));
        Assert.False(cache.MatchesAny(Array.Empty<string>(), ["https://example.com/books/42"]));
    }

    [Fact]
    public void MatchesAny_compares_an_invalid_template_in_a_claim_as_a_plain_string()
    {
        var cache = new TopicSelectorCache();
        string[] claim = ["https://example.com/books/{id"];

        Assert.False(cache.MatchesAny(claim, "https://example.com/books/1"));
        Assert.True(cache.MatchesAny(claim, "https://example.com/books/{id"));
    }

    [Fact]
    public void Null_arguments_are_rejected()
    {
        var cache = new TopicSelectorCache();

        Assert.Throws<ArgumentNullException>(() => cache.Get(null!));
        Assert.Throws<ArgumentNullException>(() => cache.TryGet(null!, out _, out _));
        Assert.Throws<ArgumentNullException>(() => cache.MatchesAny(null!, "t"));
        Assert.Throws<ArgumentNullException>(() => cache.MatchesAny(["*"], (string)null!));
        Assert.Throws<ArgumentNullException>(() => cache.MatchesAny(["*"], (IReadOnlyList<string>)null!));
    }

    /// <summary>Runs <paramref name="body"/> on that many dedicated threads and waits for all of them.</summary>
    private static void RunOnThreads(int count, Action<int> body)
    {
        var errors = new Exception?[count];
        var threads = new Thread[count];
        for (int t = 0; t < count; t++)
        {
            int index = t;
            threads[t] = new Thread(() =>
            {
                try
                {
                    body(index);
                }
#pragma warning disable CA1031 // Any failure on a worker thread is reported on the test thread.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    errors[index] = ex;
                }
            });
            threads[t].Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.All(errors, Assert.Null);
    }
}
