using System.Text;

namespace Herald.Hub.Tests.Http.Fuzz;

/// <summary>
/// One request a fuzz test sends to the hub: method, raw query string (without <c>?</c>), headers
/// in order and body bytes. Nothing in it is guaranteed to be valid HTTP, URL, JWT or UTF-8.
/// </summary>
internal sealed record HostileRequest(string Method, string Query, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    /// <summary>Whether the request says how long its body is (otherwise it is sent chunked).</summary>
    public bool DeclaresLength => Headers.Any(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase));

    /// <summary>Short enough to read in a failure message.</summary>
    public override string ToString()
    {
        var text = new StringBuilder($"{Method} ?{Shorten(Query)}");
        foreach ((string name, string value) in Headers)
        {
            text.Append($"\n{name}: {Shorten(value)}");
        }

        return text.Append($"\n[{Body.Length} bytes] {Shorten(Encoding.Latin1.GetString(Body))}").ToString();
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : $"{text[..200]}... ({text.Length} chars)";
}
