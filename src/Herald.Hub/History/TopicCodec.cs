using System.Globalization;
using System.Text;

namespace Herald.Hub.History;

/// <summary>
/// How an update's topics are stored: the canonical one in its own column, the alternates (rare)
/// in one more column, each as its length, a colon and the text. Lengths rather than a separator,
/// because a topic may contain any character.
/// </summary>
internal static class TopicCodec
{
    /// <summary>The alternates of <paramref name="topics"/> in one string, or <see langword="null"/> when there are none.</summary>
    public static string? EncodeAlternates(IReadOnlyList<string> topics)
    {
        if (topics.Count < 2)
        {
            return null;
        }

        var text = new StringBuilder();
        for (int i = 1; i < topics.Count; i++)
        {
            text.Append(topics[i].Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(topics[i]);
        }

        return text.ToString();
    }

    /// <summary>The topics back: <paramref name="topic"/> then the decoded alternates, in their order.</summary>
    /// <exception cref="FormatException">The alternates were not written by <see cref="EncodeAlternates"/>.</exception>
    public static IReadOnlyList<string> Decode(string topic, string? alternates)
    {
        if (alternates is null)
        {
            return [topic];
        }

        var topics = new List<string>(3) { topic };
        ReadOnlySpan<char> rest = alternates;
        while (!rest.IsEmpty)
        {
            int colon = rest.IndexOf(':');
            if (colon <= 0 || !int.TryParse(rest[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out int length) || length > rest.Length - colon - 1)
            {
                throw new FormatException("The stored alternate topics are malformed.");
            }

            topics.Add(rest.Slice(colon + 1, length).ToString());
            rest = rest[(colon + 1 + length)..];
        }

        return topics;
    }

    /// <summary>The bytes an update counts against the size limit: its data and topics in UTF-8.</summary>
    public static long SizeOf(Update update)
    {
        long size = Encoding.UTF8.GetByteCount(update.Data);
        foreach (string topic in update.Topics)
        {
            size += Encoding.UTF8.GetByteCount(topic);
        }

        return size;
    }
}
