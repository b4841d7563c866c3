using System.Text;
using CsCheck;
using Herald.Hub.Authorization;
using Herald.Testing;

namespace Herald.Hub.Tests.Http.Fuzz;

/// <summary>
/// CsCheck generators for what an attacker or a broken client sends a hub: forms that are not
/// forms, fields full of NUL and CRLF, broken percent-escapes and UTF-8, wrong content types,
/// tokens that are forged, expired, tampered with or not tokens at all, selectors that are not
/// URI templates, and last event ids of any bytes.
/// </summary>
internal static class HostileInputs
{
    public const string Topic = "https://example.com/books/1";

    /// <summary>Short text weighted towards what breaks parsers: separators, escapes, control
    /// characters, template braces, surrogates and non-ASCII.</summary>
    public static readonly Gen<string> Text = Gen.Frequency(
            (6, Gen.Int['a', 'z'].Select(c => ((char)c).ToString())),
            (5, Gen.OneOf("&", "=", "+", "%", "%2", "%zz", "%00", "%0D%0A", "%FF", "%C3", "%E2%82", "%ED%A0%80", "%25", "?", "#", "/", ":", ";", ",")),
            (4, Gen.OneOf("\0", "\r", "\n", "\r\n", " ", "\t", "\"", "'", "\\", "\u00e9", "\uFEFF", "\uD800", "\uDC00", "😀")),
            (3, Gen.OneOf("{", "}", "{id}", "{+path}", "{#x}", "{?q*}", "{x:3}", "{/a,b}", "{{", "}}", "{%", "{x*:2}", "{=}")),
            (2, Gen.OneOf("https://example.com/", Topic, "*", "/.well-known/mercure", "/.well-known/mercure/subscriptions/x", "/.well-known/herald/streams/s", "urn:uuid:", "earliest")),
            (1, Gen.Int[1, 0xFFFF].Where(c => c is < 0xD800 or > 0xDFFF).Select(c => ((char)c).ToString())))
        .Array[0, 24]
        .Select(pieces => string.Concat(pieces));

    /// <summary>Now and then very long text, past the hub's limits.</summary>
    public static readonly Gen<string> Value = Gen.Frequency(
        (30, Text),
        (1, Gen.Select(Gen.Char['a', 'z'], Gen.Int[1_000, 40_000], (c, n) => new string(c, n))));

    /// <summary>Tokens of every kind: valid ones with wide and narrow rights, expired, signed
    /// with the other role's key or an unknown one, tampered with, unsigned, and junk.</summary>
    public static readonly Gen<string?> Token = Gen.Frequency(
        (3, Gen.OneOf<string?>(
            TestTokens.Publisher("*"),
            TestTokens.Publisher(Topic),
            TestTokens.Publisher("https://example.com/{id}"),
            TestTokens.Subscriber(["*"]),
            TestTokens.Subscriber([Topic]),
            TestTokens.Subscriber(["*"], DateTimeOffset.UtcNow.AddMinutes(-5)),
            HubTokenFactory.Create(new HeraldJwtOptions { Key = TestTokens.PublisherKey }, ["*"], ["*"], expires: DateTimeOffset.UtcNow.AddMinutes(-5)),
            HubTokenFactory.Create(new HeraldJwtOptions { Key = "an-unknown-key-of-at-least-32-bytes-0123456789" }, ["*"], ["*"]),
            HubTokenFactory.Create(new HeraldJwtOptions { Key = TestTokens.PublisherKey }, null, null),
            // alg "none", no signature.
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJtZXJjdXJlIjp7InB1Ymxpc2giOlsiKiJdLCJzdWJzY3JpYmUiOlsiKiJdfX0.",
            null)),
        (2, Gen.Select(Gen.OneOf(TestTokens.Publisher("*"), TestTokens.Subscriber(["*"])), Gen.Int[0, 1_000], Gen.Char['!', '~'],
            (token, at, c) => token[..(at % token.Length)] + c + token[((at % token.Length) + 1)..])),
        (2, Text.Select(t => (string?)t)),
        (1, Gen.Select(Text, Text, Text, (a, b, c) => (string?)$"{a}.{b}.{c}")));

    /// <summary>How the token is presented: header (bearer or some other scheme), query
    /// parameter or cookie.</summary>
    public enum TokenPlace
    {
        Bearer,
        OtherScheme,
        Query,
        Cookie,
    }

    public static readonly Gen<TokenPlace> Place = Gen.Enum<TokenPlace>();

    /// <summary>Headers that are not about the token or the body: odd names and values.</summary>
    private static readonly Gen<KeyValuePair<string, string>> StrayHeader = Gen.Select(
        Gen.OneOf(Gen.OneOf("Origin", "Referer", "Accept", "Cookie", "X-Forwarded-For", "Cache-Control", "Last-Event-ID"), Gen.String['a', 'z']
            .Where(s => s.Length > 0).Select(s => "X-" + s)),
        Text,
        (name, value) => new KeyValuePair<string, string>(name, value));

    private static List<KeyValuePair<string, string>> Headers(string? token, TokenPlace place, IEnumerable<KeyValuePair<string, string>> stray, ref string query)
    {
        var headers = new List<KeyValuePair<string, string>>(stray);
        if (token is null)
        {
            return headers;
        }

        switch (place)
        {
            case TokenPlace.Bearer:
                headers.Add(new("Authorization", "Bearer " + token));
                break;
            case TokenPlace.OtherScheme:
                headers.Add(new("Authorization", "Basic " + token));
                break;
            case TokenPlace.Query:
                query += "&authorization=" + Uri.EscapeDataString(token);
                break;
            case TokenPlace.Cookie:
                headers.Add(new("Cookie", "mercureAuthorization=" + token));
                break;
        }

        return headers;
    }

    /// <summary>A field of a form: a name the hub knows (or not), and a value, escaped properly,
    /// escaped badly or not escaped at all.</summary>
    private static readonly Gen<string> FormPair = Gen.Select(
        Gen.Frequency((6, Gen.OneOf("topic", "data", "id", "type", "retry", "private")), (1, Text)),
        Value,
        Gen.Int[0, 9],
        (name, value, style) => style switch
        {
            < 6 => Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value),
            < 8 => name + "=" + value,
            8 => name,
            _ => Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value) + "=" + value,
        });

    /// <summary>Form bodies (mostly with a topic, so the checks after it are reached), raw bytes
    /// and a body past the hub's size limit.</summary>
    public static Gen<byte[]> PublishBody(int maxBodySize) => Gen.Frequency(
        (10, Gen.Select(FormPair.Array[0, 8], Gen.Bool, (pairs, withTopic) =>
            Encoding.UTF8.GetBytes(string.Join('&', withTopic ? pairs.Prepend("topic=" + Uri.EscapeDataString(Topic)) : pairs)))),
        (2, Gen.Byte.Array[0, 300]),
        (1, Gen.Int[maxBodySize + 1, maxBodySize * 2].Select(n => Encoding.ASCII.GetBytes("topic=a&data=" + new string('x', n)))));

    public static readonly Gen<string?> ContentType = Gen.Frequency(
        (8, Gen.OneOf<string?>("application/x-www-form-urlencoded")),
        (4, Gen.OneOf<string?>(
            "application/x-www-form-urlencoded; charset=utf-8", "APPLICATION/X-WWW-FORM-URLENCODED", "application/x-www-form-urlencoded; charset=utf-16",
            "multipart/form-data; boundary=x", "multipart/form-data", "text/plain", "application/json", "text/event-stream", "application/x-ndjson",
            "application/x-www-form-urlencoded;;;", "*/*", "a/b/c", "", null)),
        (1, Text.Select(t => (string?)t)));

    /// <summary>A publish: a hostile form with a hostile token, headers and framing.</summary>
    public static Gen<HostileRequest> Publish(int maxBodySize) => Gen.Select(
        PublishBody(maxBodySize), ContentType, Token, Place, StrayHeader.Array[0, 3], Gen.Int[0, 5],
        (body, contentType, token, place, stray, framing) =>
        {
            string query = string.Empty;
            List<KeyValuePair<string, string>> headers = Headers(token, place, stray, ref query);
            if (contentType is not null)
            {
                headers.Add(new("Content-Type", contentType));
            }

            // Mostly an honest length; sometimes none (chunked), sometimes one past the limit.
            if (framing < 4)
            {
                headers.Add(new("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            else if (framing == 4 && body.Length <= maxBodySize)
            {
                headers.Add(new("Content-Length", (maxBodySize + 1L).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                body = new byte[maxBodySize + 1];
            }

            return new HostileRequest("POST", query.TrimStart('&'), headers, body);
        });

    /// <summary>A selector: valid ones, broken URI templates, and junk.</summary>
    private static readonly Gen<string> Selector = Gen.Frequency(
        (4, Gen.OneOf("*", Topic, "https://example.com/books/{id}", "https://example.com/{+path}", "{scheme}://{host}/{path*}")),
        (6, Text));

    /// <summary>A subscription: selectors (sometimes none, sometimes too many), a last event id in
    /// the query or the header, and a hostile token.</summary>
    public static Gen<HostileRequest> Subscribe(int maxSelectors) => Gen.Select(
        Gen.Frequency((20, Selector.Array[0, 5]), (1, Gen.Const(Enumerable.Repeat("*", maxSelectors + 1).ToArray()))),
        Gen.Select(Gen.Int[0, 3], Text),
        Token, Place, StrayHeader.Array[0, 3], Gen.Int[0, 4],
        (selectors, lastEventId, token, place, stray, selectorEscaping) =>
        {
            // Selectors escaped, or sent raw (the query parser then decides what they mean).
            string query = string.Join('&', selectors.Select(s => "topic=" + (selectorEscaping < 3 ? Uri.EscapeDataString(s) : s)));
            (int where, string id) = lastEventId;
            if (where == 1)
            {
                query += "&lastEventID=" + Uri.EscapeDataString(id);
            }

            List<KeyValuePair<string, string>> headers = Headers(token, place, stray, ref query);
            if (where == 2)
            {
                headers.Add(new("Last-Event-ID", id));
            }

            return new HostileRequest("GET", query.TrimStart('&'), headers, []);
        });
}
