using System.Diagnostics.CodeAnalysis;

namespace Herald.Hub.Selectors;

/// <summary>
/// A Mercure topic selector: what a subscriber's <c>topic</c> query parameter and a token's
/// <c>mercure.subscribe</c> and <c>mercure.publish</c> claims hold, matched against the topics of
/// updates.
/// </summary>
/// <remarks>
/// <para>An expression is read as one of three kinds (see <see cref="Kind"/>):</para>
/// <list type="bullet">
/// <item><description><c>*</c> matches every topic.</description></item>
/// <item><description>An expression without <c>{</c> matches the one topic equal to it (ordinal, case-sensitive,
/// with no normalisation of any kind).</description></item>
/// <item><description>An expression with <c>{</c> is an RFC 6570 URI template (all of level 4). It matches a topic
/// when some expansion of the template produces that topic, and also the topic equal to the template
/// itself, so that a selector in a token authorizes a subscription to the same selector. The matcher is
/// compiled when the template is parsed, into a regular expression for the non-backtracking engine:
/// matching is linear in the topic's length, so no selector can make matching slow.</description></item>
/// </list>
/// <para>Template matching, in detail:</para>
/// <list type="bullet">
/// <item><description>A variable's value may be undefined, a string, a list or an associative array, as in
/// RFC 6570. An empty or undefined value matches, so <c>https://example.com/books/{id}</c> matches
/// <c>https://example.com/books/</c>: expanding <c>{id}</c> with the empty string gives exactly that.</description></item>
/// <item><description>Values match in their encoded form: unreserved characters and percent-encoded octets,
/// plus reserved characters for <c>{+var}</c> and <c>{#var}</c>. A raw space or non-ASCII character in a
/// topic never comes out of a variable (expansion percent-encodes it), so it can only match literal text.
/// The hexadecimal digits of a percent-encoded octet may be of either case.</description></item>
/// <item><description>Literal text matches exactly as written (a percent-encoded literal is not decoded).</description></item>
/// <item><description>A prefix modifier <c>{var:n}</c> matches at most n characters of the value, a percent-encoded
/// UTF-8 sequence counting as one character. Prefix lengths are the costliest part of a matcher (the engine
/// unrolls them): a template whose matcher would be too large, such as <c>{var:9999}</c> (a lone prefix
/// longer than 285 is), is not a valid template here.</description></item>
/// <item><description>Each occurrence of a variable is matched on its own: <c>{x}/{x}</c> matches <c>a/b</c>.</description></item>
/// </list>
/// <para>An expression that contains <c>{</c> but is not a valid template (an unbalanced brace, a bad
/// variable name or modifier, a character that RFC 6570 does not allow in a template, or a matcher too
/// large to compile) is compared as an exact string by <see cref="Parse"/>, which never throws for it;
/// <see cref="TryParse"/> tells what is wrong instead, for endpoints that reject such a selector.</para>
/// <para>Instances are immutable and safe to use from any number of threads. Parsing a template
/// compiles it, which takes a fraction of a millisecond to a few milliseconds: code that serves
/// requests should get selectors from a shared <see cref="TopicSelectorCache"/>.</para>
/// </remarks>
public abstract class TopicSelector
{
    // Only this assembly defines kinds of selector, so that callers can rely on Kind; new dialects
    // (Mercure's match and matchURLPattern) become new subclasses here.
    private protected TopicSelector(string expression, TopicSelectorKind kind)
    {
        Expression = expression;
        Kind = kind;
    }

    /// <summary>The expression the selector was parsed from, unchanged.</summary>
    public string Expression { get; }

    /// <summary>How the selector matches topics.</summary>
    public TopicSelectorKind Kind { get; }

    /// <summary>Whether the selector matches <paramref name="topic"/>. Never throws for a non-null topic.</summary>
    /// <param name="topic">The topic of an update, or a selector to authorize.</param>
    /// <returns><see langword="true"/> when the topic is selected.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="topic"/> is <see langword="null"/>.</exception>
    public abstract bool Matches(string topic);

    /// <summary>
    /// Reads an expression as a selector. Never fails: an expression that contains <c>{</c> but is not
    /// a valid URI template becomes an exact selector, compared as a plain string.
    /// </summary>
    /// <param name="expression">The selector, as the client sent it.</param>
    /// <returns>The selector.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="expression"/> is <see langword="null"/>.</exception>
    public static TopicSelector Parse(string expression) =>
        TryParse(expression, out TopicSelector? selector, out _) ? selector : new ExactTopicSelector(expression);

    /// <summary>
    /// Reads an expression as a selector, failing for an expression that contains <c>{</c> but is not a
    /// valid URI template (where <see cref="Parse"/> would fall back to an exact selector).
    /// </summary>
    /// <param name="expression">The selector, as the client sent it.</param>
    /// <param name="selector">The selector, or <see langword="null"/> when the template is invalid.</param>
    /// <param name="error">
    /// When the template is invalid, what is wrong with it and where, fit to send back to the client
    /// (for instance in a 400 response); otherwise <see langword="null"/>.
    /// </param>
    /// <returns><see langword="true"/> unless the expression is an invalid template.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="expression"/> is <see langword="null"/>.</exception>
    public static bool TryParse(
        string expression,
        [NotNullWhen(true)] out TopicSelector? selector,
        [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(expression);
        error = null;
        if (expression == WildcardTopicSelector.WildcardExpression)
        {
            selector = WildcardTopicSelector.Instance;
            return true;
        }

        if (!expression.Contains('{', StringComparison.Ordinal))
        {
            selector = new ExactTopicSelector(expression);
            return true;
        }

        if (UriTemplateTopicSelector.TryCreate(expression, out UriTemplateTopicSelector? template, out error))
        {
            selector = template;
            return true;
        }

        selector = null;
        return false;
    }

    /// <summary>The expression.</summary>
    /// <returns><see cref="Expression"/>.</returns>
    public override string ToString() => Expression;
}
