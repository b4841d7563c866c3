using Herald.Hub.Selectors;

namespace Herald.Hub.Tests.Selectors;

/// <summary>
/// Per operator, topics a template must match and near misses it must not: a separator of the
/// wrong kind, a character the operator percent-encodes, a missing prefix or name, too long a prefix.
/// </summary>
public sealed class TemplateMatchingTests
{
    private const string Books = "https://example.com/books/{id}";

    public static TheoryData<string, string, bool> Simple() => new()
    {
        { Books, "https://example.com/books/1", true },
        { Books, "https://example.com/books/foo%20bar", true },
        { Books, "https://example.com/books/a%2Fb", true },
        { Books, "https://example.com/books/a%2fb", true },
        { Books, "https://example.com/books/%C3%A9t%C3%A9", true },
        { Books, "https://example.com/books/-._~", true },

        // An empty value (or an undefined one) expands to nothing.
        { Books, "https://example.com/books/", true },

        // A list value expands to comma-separated items.
        { Books, "https://example.com/books/1,2", true },
        { Books, "https://example.com/books/1/2", false },
        { Books, "https://example.com/books/foo bar", false },
        { Books, "https://example.com/books/a?b", false },
        { Books, "https://example.com/books/a#b", false },
        { Books, "https://example.com/books/a=b", false },
        { Books, "https://example.com/books/a;b", false },
        { Books, "https://example.com/books/100%", false },
        { Books, "https://example.com/books/%2", false },
        { Books, "https://example.com/books/%zz", false },
        { Books, "https://example.com/books/caf\u00E9", false },
        { Books, "https://example.com/books", false },
        { Books, "https://example.com/Books/1", false },
        { Books, "http://example.com/books/1", false },
        { Books, "https://example.com/books/1 ", false },
        { Books, "xhttps://example.com/books/1", false },
        { "{x,y}", "1024,768", true },
        { "{x,y}", "1024", true },
        { "{x,y}", "", true },
        { "{x,y}", "1,2,3", true },
        { "{x,y}", "1024;768", false },
        { "{x,y}", "1024/768", false },
    };

    public static TheoryData<string, string, bool> Reserved() => new()
    {
        { "{+path}/here", "/foo/bar/here", true },
        { "{+path}/here", "a?b=c&d#e:f@g!$'()*+,;=[]/here", true },
        { "{+path}/here", "%2F/here", true },
        { "{+path}/here", "/here", true },
        { "{+path}/here", "/foo bar/here", false },
        { "{+path}/here", "/foo<bar/here", false },
        { "{+path}/here", "/foo\"bar/here", false },
        { "{+path}/here", "/foo%zz/here", false },
        { "{+path}/here", "/foo/bar/there", false },
        { "{+path}/here", "/foo/bar/here/", false },
    };

    public static TheoryData<string, string, bool> Fragment() => new()
    {
        { "https://example.com/page{#frag}", "https://example.com/page", true },
        { "https://example.com/page{#frag}", "https://example.com/page#", true },
        { "https://example.com/page{#frag}", "https://example.com/page#a/b?c", true },

        // '#' is reserved, so a value may hold one.
        { "https://example.com/page{#frag}", "https://example.com/page##", true },
        { "https://example.com/page{#frag}", "https://example.com/pagea", false },
        { "https://example.com/page{#frag}", "https://example.com/page#a b", false },
        { "https://example.com/page{#frag}", "https://example.com/page#<", false },
        { "https://example.com/page{#frag}", "https://example.com/page/#a", false },
    };

    public static TheoryData<string, string, bool> Label() => new()
    {
        { "/file{.ext}", "/file", true },
        { "/file{.ext}", "/file.", true },
        { "/file{.ext}", "/file.json", true },

        // '.' is unreserved, so one string value can hold it.
        { "/file{.ext}", "/file.tar.gz", true },
        { "/file{.ext}", "/filejson", false },
        { "/file{.ext}", "/file.a/b", false },
        { "/file{.ext}", "/file,json", false },
        { "www{.dom*}", "www.example.com", true },
        { "www{.dom*}", "www.a=b.c=d", true },
        { "www{.dom*}", "wwwexample.com", false },
        { "www{.dom*}", "www.example/com", false },
    };

    public static TheoryData<string, string, bool> PathSegment() => new()
    {
        { "/api{/seg}", "/api", true },
        { "/api{/seg}", "/api/", true },
        { "/api{/seg}", "/api/x", true },
        { "/api{/seg}", "/api/x,y", true },
        { "/api{/seg}", "/api/x%2Fy", true },

        // Unexploded, a value's '/' is percent-encoded: one segment only.
        { "/api{/seg}", "/api/x/y", false },
        { "/api{/seg}", "/apix", false },
        { "/api{/seg*}", "/api/x/y/z", true },
        { "/api{/seg*}", "/api/x//z", true },
        { "/api{/seg*}", "/api/a=1/b=2", true },
        { "/api{/seg*}", "/api/x?y", false },
        { "/api{/seg*}", "/api/x,y/z", false },
        { "{/a,b}", "/x/y", true },
        { "{/a,b}", "/x", true },
        { "{/a,b}", "", true },
        { "{/a,b}", "/x/y/z", false },
        { "{/a,b}", "x/y", false },
        { "{/list*,path:4}", "/red/green/blue/%2Ffoo", true },
        { "{/list*,path:4}", "/red/green/blue/%2Ffooo", true },
    };

    public static TheoryData<string, string, bool> PathParameter() => new()
    {
        { "/m{;p}", "/m", true },
        { "/m{;p}", "/m;p", true },
        { "/m{;p}", "/m;p=1", true },
        { "/m{;p}", "/m;p=1,2", true },
        { "/m{;p}", "/m;q=1", false },
        { "/m{;p}", "/m;pp=1", false },
        { "/m{;p}", "/m;p=1;p=2", false },
        { "/m{;p}", "/m;p=a b", false },
        { "/m{;p}", "/m?p=1", false },
        { "/m{;p*}", "/m;p=a;p=b", true },
        { "/m{;p*}", "/m;x=1;y", true },
        { "/m{;p*}", "/m;p=a?b", false },
        { "/m{;p*}", "/m;p=a&p=b", false },
        { "{;v,empty,who}", ";v=6;empty;who=fred", true },
        { "{;v,empty,who}", ";v=6;who=fred", true },
        { "{;v,empty,who}", ";who=fred;v=6", false },
        { "{;v,empty,who}", ";v=6,empty,who=fred", false },
    };

    public static TheoryData<string, string, bool> Query() => new()
    {
        { "/s{?q}", "/s", true },
        { "/s{?q}", "/s?q=", true },
        { "/s{?q}", "/s?q=cat", true },
        { "/s{?q}", "/s?q=a,b", true },

        // A query parameter always has its '=' (an empty value is "q=").
        { "/s{?q}", "/s?q", false },
        { "/s{?q}", "/s?r=cat", false },
        { "/s{?q}", "/s&q=cat", false },
        { "/s{?q}", "/s?q=cat&q=dog", false },
        { "/s{?q}", "/s?q=a=b", false },
        { "/s{?q}", "/s?q=a b", false },
        { "/s{?q,lang}", "/s?q=cat&lang=en", true },
        { "/s{?q,lang}", "/s?lang=en", true },
        { "/s{?q,lang}", "/s?q=cat", true },
        { "/s{?q,lang}", "/s?lang=en&q=cat", false },
        { "/s{?q,lang}", "/s?q=cat?lang=en", false },
        { "/s{?q,lang}", "/s&lang=en", false },
        { "/s{?q,lang}", "/s?q=cat&&lang=en", false },
        { "/s{?q,lang}", "/s?&lang=en", false },
        { "/s{?list*}", "/s?list=a&list=b", true },
        { "/s{?list*}", "/s?a=1&b=", true },
        { "/s{?list*}", "/s?a&b", false },
        { "/s{?list*}", "/s?a=1;b=2", false },
    };

    public static TheoryData<string, string, bool> QueryContinuation() => new()
    {
        { "/s?fixed=yes{&x}", "/s?fixed=yes", true },
        { "/s?fixed=yes{&x}", "/s?fixed=yes&x=1024", true },
        { "/s?fixed=yes{&x}", "/s?fixed=yes&x=", true },
        { "/s?fixed=yes{&x}", "/s?fixed=yes?x=1024", false },
        { "/s?fixed=yes{&x}", "/s?fixed=yes&y=1024", false },
        { "/s?fixed=yes{&x}", "/s?fixed=yes&x", false },
        { "/s?fixed=no{&x}", "/s?fixed=yes&x=1", false },
        { "{&x*}", "&x=1&x=2", true },
        { "{&x*}", "&x=1,x=2", false },
    };

    public static TheoryData<string, string, bool> Prefix() => new()
    {
        { "{var:3}", "val", true },
        { "{var:3}", "va", true },
        { "{var:3}", "", true },

        // A percent-encoded UTF-8 sequence is one character of the value.
        { "{var:3}", "%C3%A9t%C3%A9", true },
        { "{var:3}", "%F0%9F%98%80ab", true },
        { "{var:3}", "valu", false },
        { "{var:3}", "%41%42%43%44", false },
        { "{var:3}", "v,a", false },
        { "{;hello:5}", ";hello=Hello", true },
        { "{;hello:5}", ";hello", true },
        { "{;hello:5}", ";hello=HelloW", false },
        { "{;hello:5}", ";hello=", false },
        { "{?var:3}", "?var=", true },
        { "{?var:3}", "?var=val", true },
        { "{?var:3}", "?var=valu", false },
        { "{+path:6}/here", "/foo/b/here", true },
        { "{+path:6}/here", "/foo/ba/here", false },
        { "{/var:1,var}", "/v/value", true },
        { "{/var:1,var}", "/value/v", false },
        { "https://example.com/dictionary/{term:1}/{term}", "https://example.com/dictionary/c/cat", true },
        { "https://example.com/dictionary/{term:1}/{term}", "https://example.com/dictionary/ca/cat", false },
    };

    public static TheoryData<string, string, bool> SeveralExpressions() => new()
    {
        { "https://example.com/{collection}/{id}{?fields}", "https://example.com/books/1", true },
        { "https://example.com/{collection}/{id}{?fields}", "https://example.com/books/1?fields=title,author", true },
        { "https://example.com/{collection}/{id}{?fields}", "https://example.com//", true },
        { "https://example.com/{collection}/{id}{?fields}", "https://example.com/books/1/2", false },
        { "https://example.com/{collection}/{id}{?fields}", "https://example.com/books?fields=title", false },
        { "https://example.com/{collection}/{id}{?fields}", "https://example.com/books/1&fields=title", false },
        { "{/a}{/b}", "/x/y", true },
        { "{/a}{/b}", "/x", true },
        { "{/a}{/b}", "", true },
        { "{/a}{/b}", "/x/y/z", false },
        { "{scheme}://{+host}{/path*}{?query*}{#fragment}", "https://example.com:8080/a/b?x=1&y=2#top", true },
        { "{scheme}://{+host}{/path*}{?query*}{#fragment}", "https://example.com", true },
        { "{scheme}://{+host}{/path*}{?query*}{#fragment}", "https:/example.com", false },
        { "{scheme}://{+host}{/path*}{?query*}{#fragment}", "https://example.com/a b", false },

        // Each occurrence of a variable is matched on its own.
        { "/{x}/{x}", "/a/b", true },
    };

    public static TheoryData<string, string, bool> Literals() => new()
    {
        // Literal text is compared as written, percent-encoding included.
        { "/a%2Fb/{id}", "/a%2Fb/1", true },
        { "/a%2Fb/{id}", "/a%2fb/1", false },
        { "/a%2Fb/{id}", "/a/b/1", false },
        { "/caf\u00E9/{id}", "/caf\u00E9/1", true },
        { "/caf\u00E9/{id}", "/caf%C3%A9/1", false },
        { "/(.*)+/{id}", "/(.*)+/1", true },
        { "/(.*)+/{id}", "/(x)+/1", false },
        { "/[a]$/{id}", "/[a]$/1", true },
        { "/[a]$/{id}", "/a/1", false },
        { "/a.b/{id}", "/aXb/1", false },
        { "/\U0001F600/{id}", "/\U0001F600/1", true },
    };

    [Theory]
    [MemberData(nameof(Simple))]
    [MemberData(nameof(Reserved))]
    [MemberData(nameof(Fragment))]
    [MemberData(nameof(Label))]
    [MemberData(nameof(PathSegment))]
    [MemberData(nameof(PathParameter))]
    [MemberData(nameof(Query))]
    [MemberData(nameof(QueryContinuation))]
    [MemberData(nameof(Prefix))]
    [MemberData(nameof(SeveralExpressions))]
    [MemberData(nameof(Literals))]
    public void Template_matches_only_what_an_expansion_can_produce(string template, string topic, bool expected)
    {
        TopicSelector selector = TopicSelector.Parse(template);

        Assert.Equal(TopicSelectorKind.Template, selector.Kind);
        Assert.Equal(expected, selector.Matches(topic));
    }

    [Theory]
    [InlineData(Books)]
    [InlineData("{+path}/here")]
    [InlineData("/s{?q,lang}")]
    [InlineData("{scheme}://{+host}{/path*}{?query*}{#fragment}")]
    public void Template_matches_itself_so_a_claim_can_authorize_the_same_selector(string template)
    {
        Assert.True(TopicSelector.Parse(template).Matches(template));
    }

    [Fact]
    public void Template_keeps_its_expression()
    {
        TopicSelector selector = TopicSelector.Parse(Books);

        Assert.Equal(Books, selector.Expression);
        Assert.Equal(Books, selector.ToString());
    }

    [Fact]
    public void Matching_a_null_topic_throws()
    {
        Assert.Throws<ArgumentNullException>(() => TopicSelector.Parse(Books).Matches(null!));
    }
}
