using System.Text;

namespace Herald.ChatDemo;

/// <summary>
/// A prompt as the generator takes it: line breaks as LF (SSE turns CR and CRLF into LF, so
/// anything else would not survive the stream unchanged), no other control characters, lone
/// surrogates replaced (they cannot be sent as UTF-8), trimmed, and not too long.
/// </summary>
internal static class ChatPrompt
{
    /// <summary>Cleans <paramref name="raw"/>; <see langword="false"/> with a reason for the user
    /// when nothing is left or it is too long.</summary>
    public static bool TryClean(string? raw, int maxLength, out string prompt, out string problem)
    {
        prompt = string.Empty;
        var text = new StringBuilder((raw ?? string.Empty).Length);
        string source = (raw ?? string.Empty).Replace("\r\n", "\n", StringComparison.Ordinal);
        for (int i = 0; i < source.Length; i++)
        {
            char c = source[i];
            if (c == '\r')
            {
                text.Append('\n');
            }
            else if (char.IsHighSurrogate(c) && i + 1 < source.Length && char.IsLowSurrogate(source[i + 1]))
            {
                text.Append(c).Append(source[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                text.Append('\uFFFD');
            }
            else if (!char.IsControl(c) || c is '\n' or '\t')
            {
                text.Append(c);
            }
        }

        string cleaned = text.ToString().Trim();
        if (cleaned.Length == 0)
        {
            problem = "Type a prompt first.";
            return false;
        }

        if (cleaned.Length > maxLength)
        {
            problem = $"A prompt may have at most {maxLength} characters; this one has {cleaned.Length}.";
            return false;
        }

        prompt = cleaned;
        problem = string.Empty;
        return true;
    }
}
