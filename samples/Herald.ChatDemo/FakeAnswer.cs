using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Herald.ChatDemo;

/// <summary>
/// The fake model: an answer derived from the prompt alone (the same prompt always gets the same
/// answer, word for word), cut into word-ish tokens the way a real model's output arrives.
/// No network, no model, nothing random.
/// </summary>
internal static partial class FakeAnswer
{
    /// <summary>How many sentences of <see cref="Sentences"/> an answer carries.</summary>
    public const int SentencesPerAnswer = 5;

    /// <summary>The longest part of the prompt the answer quotes back.</summary>
    private const int MaxQuote = 80;

    private static readonly string[] Sentences =
    [
        "Herald stores every token in the hub's history before any reader sees it, so a reader that comes back later misses nothing.",
        "Reload the page while this answer is still streaming: it picks up after the last token it showed, repeating none and skipping none.",
        "Open the same address in a second tab and it replays the answer from the start, then follows it live.",
        "Press Stop and the hub cancels the stream; the generator behind it notices and stops writing.",
        "There is no model here, only a deterministic generator that paces words to look like one.",
        "Each token is an event whose id counts from the start of the stream, which is what makes resuming exact.",
        "A reader that falls behind gets several tokens merged into one event, with the id of the last, so it catches up without losing its place.",
        "The page keeps the text so far and the last event id in session storage, and the stream id in the address.",
        "Every answer gets a fresh stream id, a UUID, because a stream id is never used twice.",
        "Readers need a token: the page gets one in an HttpOnly cookie that allows reading answer streams and nothing else.",
        "Given the same prompt, this generator gives the same answer, which is what its tests rely on.",
        "When the answer ends, the hub sends a final lifecycle event, and the page closes its connection.",
    ];

    /// <summary>Strides through <see cref="Sentences"/> that visit every sentence (coprime to 12).</summary>
    private static readonly int[] Strides = [1, 5, 7, 11];

    /// <summary>The answer to <paramref name="prompt"/> (a cleaned prompt, see <see cref="ChatPrompt"/>).</summary>
    public static string Compose(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var text = new StringBuilder();
        text.Append("You asked: \u201C").Append(Quote(prompt)).Append("\u201D.");
        string[] keywords = Keywords(prompt);
        if (keywords.Length > 0)
        {
            text.Append(keywords.Length == 1 ? " The word that stands out is " : " The words that stand out are ")
                .Append(JoinQuoted(keywords)).Append('.');
        }

        uint hash = Fnv1a(prompt);
        int start = (int)(hash % (uint)Sentences.Length);
        int stride = Strides[(int)(hash / (uint)Sentences.Length % (uint)Strides.Length)];
        for (int i = 0; i < SentencesPerAnswer; i++)
        {
            text.Append(' ').Append(Sentences[(start + (i * stride)) % Sentences.Length]);
        }

        return text.ToString();
    }

    /// <summary>
    /// Cuts <paramref name="text"/> into tokens whose concatenation is exactly the text: each
    /// token is the whitespace before it plus a run of at most six letters or digits, or one
    /// other character (a surrogate pair counts as one, so no token is half a character).
    /// </summary>
    public static List<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        foreach (Match match in TokenPattern().Matches(text))
        {
            tokens.Add(match.Value);
        }

        return tokens;
    }

    /// <summary>The prompt on one line (whitespace runs become one space), cut at a word near
    /// <see cref="MaxQuote"/> characters.</summary>
    private static string Quote(string prompt)
    {
        string line = Whitespace().Replace(prompt, " ");
        if (line.Length <= MaxQuote)
        {
            return line;
        }

        int cut = line.LastIndexOf(' ', MaxQuote);
        if (cut <= 0)
        {
            cut = char.IsHighSurrogate(line[MaxQuote - 1]) ? MaxQuote - 1 : MaxQuote;
        }

        return line[..cut] + "\u2026";
    }

    /// <summary>The prompt's three longest distinct words of four letters or more, in the order they appear.</summary>
    private static string[] Keywords(string prompt)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var words = new List<(string Word, int Order)>();
        foreach (Match match in Word().Matches(prompt))
        {
            if (seen.Add(match.Value))
            {
                words.Add((match.Value, words.Count));
            }
        }

        return [.. words
            .OrderByDescending(w => w.Word.Length).ThenBy(w => w.Order)
            .Take(3)
            .OrderBy(w => w.Order)
            .Select(w => w.Word)];
    }

    private static string JoinQuoted(string[] words)
    {
        string Quoted(string word) => "\u201C" + word + "\u201D";
        return words.Length == 1
            ? Quoted(words[0])
            : string.Join(", ", words[..^1].Select(Quoted)) + " and " + Quoted(words[^1]);
    }

    /// <summary>FNV-1a over the UTF-16 code units: stable across runs and machines, unlike string.GetHashCode.</summary>
    private static uint Fnv1a(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 16777619;
        }

        return hash;
    }

    [GeneratedRegex(@"\s*(?:[\p{L}\p{N}]{1,6}|[\uD800-\uDBFF][\uDC00-\uDFFF]|\S)|\s+", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"[\p{L}\p{N}]{4,}", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
