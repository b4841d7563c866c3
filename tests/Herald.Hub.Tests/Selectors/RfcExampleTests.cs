using Herald.Hub.Selectors;

namespace Herald.Hub.Tests.Selectors;

/// <summary>
/// Every expansion example of RFC 6570 (sections 1.2, 2.4 and 3.2, with the RFC's variable values):
/// the reference expander must reproduce the RFC's result, and the template must match it.
/// </summary>
public sealed class RfcExampleTests
{
    /// <summary>The variables of RFC 6570 section 3.2 (keys in the order the RFC's examples show).</summary>
    internal static readonly Dictionary<string, object?> Section3Variables = new()
    {
        ["count"] = new[] { "one", "two", "three" },
        ["dom"] = new[] { "example", "com" },
        ["dub"] = "me/too",
        ["hello"] = "Hello World!",
        ["half"] = "50%",
        ["var"] = "value",
        ["who"] = "fred",
        ["base"] = "http://example.com/home/",
        ["path"] = "/foo/bar",
        ["list"] = new[] { "red", "green", "blue" },
        ["keys"] = new KeyValuePair<string, string>[] { new("semi", ";"), new("dot", "."), new("comma", ",") },
        ["v"] = "6",
        ["x"] = "1024",
        ["y"] = "768",
        ["empty"] = "",
        ["empty_keys"] = Array.Empty<KeyValuePair<string, string>>(),
        ["undef"] = null,
    };

    /// <summary>The variables of sections 1.2 and 2.4.</summary>
    private static readonly Dictionary<string, object?> IntroductionVariables = new()
    {
        ["username"] = "fred",
        ["term"] = "cat",
        ["q"] = "cat",
        ["lang"] = "en",
        ["var"] = "value",
        ["semi"] = ";",
        ["year"] = new[] { "1965", "2000", "2012" },
        ["dom"] = new[] { "example", "com" },
        ["hello"] = "Hello World!",
        ["path"] = "/foo/bar",
        ["x"] = "1024",
        ["y"] = "768",
    };

    public static TheoryData<string, string> Section3Examples() => new()
    {
        // 3.2.1 Variable expansion
        { "{count}", "one,two,three" },
        { "{count*}", "one,two,three" },
        { "{/count}", "/one,two,three" },
        { "{/count*}", "/one/two/three" },
        { "{;count}", ";count=one,two,three" },
        { "{;count*}", ";count=one;count=two;count=three" },
        { "{?count}", "?count=one,two,three" },
        { "{?count*}", "?count=one&count=two&count=three" },
        { "{&count*}", "&count=one&count=two&count=three" },

        // 3.2.2 Simple string expansion
        { "{var}", "value" },
        { "{hello}", "Hello%20World%21" },
        { "{half}", "50%25" },
        { "O{empty}X", "OX" },
        { "O{undef}X", "OX" },
        { "{x,y}", "1024,768" },
        { "{x,hello,y}", "1024,Hello%20World%21,768" },
        { "?{x,empty}", "?1024," },
        { "?{x,undef}", "?1024" },
        { "?{undef,y}", "?768" },
        { "{var:3}", "val" },
        { "{var:30}", "value" },
        { "{list}", "red,green,blue" },
        { "{list*}", "red,green,blue" },
        { "{keys}", "semi,%3B,dot,.,comma,%2C" },
        { "{keys*}", "semi=%3B,dot=.,comma=%2C" },

        // 3.2.3 Reserved expansion
        { "{+var}", "value" },
        { "{+hello}", "Hello%20World!" },
        { "{+half}", "50%25" },
        { "{base}index", "http%3A%2F%2Fexample.com%2Fhome%2Findex" },
        { "{+base}index", "http://example.com/home/index" },
        { "O{+empty}X", "OX" },
        { "O{+undef}X", "OX" },
        { "{+path}/here", "/foo/bar/here" },
        { "here?ref={+path}", "here?ref=/foo/bar" },
        { "up{+path}{var}/here", "up/foo/barvalue/here" },
        { "{+x,hello,y}", "1024,Hello%20World!,768" },
        { "{+path,x}/here", "/foo/bar,1024/here" },
        { "{+path:6}/here", "/foo/b/here" },
        { "{+list}", "red,green,blue" },
        { "{+list*}", "red,green,blue" },
        { "{+keys}", "semi,;,dot,.,comma,," },
        { "{+keys*}", "semi=;,dot=.,comma=," },

        // 3.2.4 Fragment expansion
        { "{#var}", "#value" },
        { "{#hello}", "#Hello%20World!" },
        { "{#half}", "#50%25" },
        { "foo{#empty}", "foo#" },
        { "foo{#undef}", "foo" },
        { "{#x,hello,y}", "#1024,Hello%20World!,768" },
        { "{#path,x}/here", "#/foo/bar,1024/here" },
        { "{#path:6}/here", "#/foo/b/here" },
        { "{#list}", "#red,green,blue" },
        { "{#list*}", "#red,green,blue" },
        { "{#keys}", "#semi,;,dot,.,comma,," },
        { "{#keys*}", "#semi=;,dot=.,comma=," },

        // 3.2.5 Label expansion with dot-prefix
        { "{.who}", ".fred" },
        { "{.who,who}", ".fred.fred" },
        { "{.half,who}", ".50%25.fred" },
        { "www{.dom*}", "www.example.com" },
        { "X{.var}", "X.value" },
        { "X{.empty}", "X." },
        { "X{.undef}", "X" },
        { "X{.var:3}", "X.val" },
        { "X{.list}", "X.red,green,blue" },
        { "X{.list*}", "X.red.green.blue" },
        { "X{.keys}", "X.semi,%3B,dot,.,comma,%2C" },
        { "X{.keys*}", "X.semi=%3B.dot=..comma=%2C" },
        { "X{.empty_keys}", "X" },
        { "X{.empty_keys*}", "X" },

        // 3.2.6 Path segment expansion
        { "{/who}", "/fred" },
        { "{/who,who}", "/fred/fred" },
        { "{/half,who}", "/50%25/fred" },
        { "{/who,dub}", "/fred/me%2Ftoo" },
        { "{/var}", "/value" },
        { "{/var,empty}", "/value/" },
        { "{/var,undef}", "/value" },
        { "{/var,x}/here", "/value/1024/here" },
        { "{/var:1,var}", "/v/value" },
        { "{/list}", "/red,green,blue" },
        { "{/list*}", "/red/green/blue" },
        { "{/list*,path:4}", "/red/green/blue/%2Ffoo" },
        { "{/keys}", "/semi,%3B,dot,.,comma,%2C" },
        { "{/keys*}", "/semi=%3B/dot=./comma=%2C" },

        // 3.2.7 Path-style parameter expansion
        { "{;who}", ";who=fred" },
        { "{;half}", ";half=50%25" },
        { "{;empty}", ";empty" },
        { "{;v,empty,who}", ";v=6;empty;who=fred" },
        { "{;v,bar,who}", ";v=6;who=fred" },
        { "{;x,y}", ";x=1024;y=768" },
        { "{;x,y,empty}", ";x=1024;y=768;empty" },
        { "{;x,y,undef}", ";x=1024;y=768" },
        { "{;hello:5}", ";hello=Hello" },
        { "{;list}", ";list=red,green,blue" },
        { "{;list*}", ";list=red;list=green;list=blue" },
        { "{;keys}", ";keys=semi,%3B,dot,.,comma,%2C" },
        { "{;keys*}", ";semi=%3B;dot=.;comma=%2C" },

        // 3.2.8 Form-style query expansion
        { "{?who}", "?who=fred" },
        { "{?half}", "?half=50%25" },
        { "{?x,y}", "?x=1024&y=768" },
        { "{?x,y,empty}", "?x=1024&y=768&empty=" },
        { "{?x,y,undef}", "?x=1024&y=768" },
        { "{?var:3}", "?var=val" },
        { "{?list}", "?list=red,green,blue" },
        { "{?list*}", "?list=red&list=green&list=blue" },
        { "{?keys}", "?keys=semi,%3B,dot,.,comma,%2C" },
        { "{?keys*}", "?semi=%3B&dot=.&comma=%2C" },

        // 3.2.9 Form-style query continuation
        { "{&who}", "&who=fred" },
        { "{&half}", "&half=50%25" },
        { "?fixed=yes{&x}", "?fixed=yes&x=1024" },
        { "{&x,y,empty}", "&x=1024&y=768&empty=" },
        { "{&var:3}", "&var=val" },
        { "{&list}", "&list=red,green,blue" },
        { "{&list*}", "&list=red&list=green&list=blue" },
        { "{&keys}", "&keys=semi,%3B,dot,.,comma,%2C" },
        { "{&keys*}", "&semi=%3B&dot=.&comma=%2C" },
    };

    public static TheoryData<string, string> IntroductionExamples() => new()
    {
        // 1.2 Levels and expression types
        { "http://example.com/~{username}/", "http://example.com/~fred/" },
        { "http://example.com/dictionary/{term:1}/{term}", "http://example.com/dictionary/c/cat" },
        { "http://example.com/search{?q,lang}", "http://example.com/search?q=cat&lang=en" },
        { "{+path}/here", "/foo/bar/here" },
        { "X{#var}", "X#value" },
        { "map?{x,y}", "map?1024,768" },
        { "{/var:1,var}", "/v/value" },

        // 2.4.1 Prefix values
        { "{var}", "value" },
        { "{var:20}", "value" },
        { "{var:3}", "val" },
        { "{semi}", "%3B" },
        { "{semi:2}", "%3B" },

        // 2.4.2 Composite values
        { "find{?year*}", "find?year=1965&year=2000&year=2012" },
        { "www{.dom*}", "www.example.com" },
    };

    [Theory]
    [MemberData(nameof(Section3Examples))]
    public void Reference_expander_reproduces_the_section_3_example(string template, string expected) =>
        Assert.Equal(expected, RfcExpander.Expand(template, Section3Variables));

    [Theory]
    [MemberData(nameof(Section3Examples))]
    public void Template_matches_its_section_3_expansion(string template, string expansion)
    {
        TopicSelector selector = TopicSelector.Parse(template);

        Assert.Equal(TopicSelectorKind.Template, selector.Kind);
        Assert.True(selector.Matches(expansion), $"{template} should match {expansion}");
    }

    [Theory]
    [MemberData(nameof(IntroductionExamples))]
    public void Reference_expander_reproduces_the_introduction_example(string template, string expected) =>
        Assert.Equal(expected, RfcExpander.Expand(template, IntroductionVariables));

    [Theory]
    [MemberData(nameof(IntroductionExamples))]
    public void Template_matches_its_introduction_expansion(string template, string expansion) =>
        Assert.True(TopicSelector.Parse(template).Matches(expansion), $"{template} should match {expansion}");
}
