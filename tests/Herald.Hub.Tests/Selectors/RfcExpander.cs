using System.Globalization;
using System.Text;

namespace Herald.Hub.Tests.Selectors;

/// <summary>
/// A small RFC 6570 expander written from the RFC's appendix A, independent of the code under
/// test: tests expand a template with some values, then check that the selector matches the result.
/// </summary>
/// <remarks>
/// Values are <see langword="null"/> (undefined), a <see cref="string"/>, a <see cref="string"/>
/// array (a list) or a <see cref="KeyValuePair{TKey, TValue}"/> array (an associative array, in
/// order). Only valid templates are expected.
/// </remarks>
internal static class RfcExpander
{
    private const string Unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    private const string Reserved = ":/?#[]@!$&'()*+,;=";

    public static string Expand(string template, IReadOnlyDictionary<string, object?> variables)
    {
        var result = new StringBuilder();
        int i = 0;
        while (i < template.Length)
        {
            int open = template.IndexOf('{', i);
            if (open < 0)
            {
                result.Append(template, i, template.Length - i);
                break;
            }

            result.Append(template, i, open - i);
            int close = template.IndexOf('}', open);
            ExpandExpression(template[(open + 1)..close], variables, result);
            i = close + 1;
        }

        return result.ToString();
    }

    private static void ExpandExpression(string body, IReadOnlyDictionary<string, object?> variables, StringBuilder result)
    {
        char op = "+#./;?&".Contains(body[0], StringComparison.Ordinal) ? body[0] : '\0';
        if (op != '\0')
        {
            body = body[1..];
        }

        (string first, string sep, bool named, string ifemp, bool allowReserved) = op switch
        {
            '+' => ("", ",", false, "", true),
            '#' => ("#", ",", false, "", true),
            '.' => (".", ".", false, "", false),
            '/' => ("/", "/", false, "", false),
            ';' => (";", ";", true, "", false),
            '?' => ("?", "&", true, "=", false),
            '&' => ("&", "&", true, "=", false),
            _ => ("", ",", false, "", false),
        };

        bool isFirst = true;
        foreach (string varspec in body.Split(','))
        {
            bool explode = varspec.EndsWith('*');
            int colon = varspec.IndexOf(':', StringComparison.Ordinal);
            string name = explode ? varspec[..^1] : colon >= 0 ? varspec[..colon] : varspec;
            int maxLength = colon >= 0 ? int.Parse(varspec[(colon + 1)..], CultureInfo.InvariantCulture) : 0;

            object? value = variables.GetValueOrDefault(name);
            if (value is null
                || (value is string[] list && list.Length == 0)
                || (value is KeyValuePair<string, string>[] pairs && pairs.Length == 0))
            {
                continue;
            }

            result.Append(isFirst ? first : sep);
            isFirst = false;

            switch (value)
            {
                case string text:
                    if (named)
                    {
                        result.Append(name);
                        if (text.Length == 0)
                        {
                            result.Append(ifemp);
                            continue;
                        }

                        result.Append('=');
                    }

                    result.Append(Encode(maxLength > 0 ? Truncate(text, maxLength) : text, allowReserved));
                    break;

                case string[] items when !explode:
                    if (named)
                    {
                        result.Append(name).Append('=');
                    }

                    result.AppendJoin(',', items.Select(item => Encode(item, allowReserved)));
                    break;

                case KeyValuePair<string, string>[] members when !explode:
                    if (named)
                    {
                        result.Append(name).Append('=');
                    }

                    result.AppendJoin(',', members.Select(m => Encode(m.Key, allowReserved) + "," + Encode(m.Value, allowReserved)));
                    break;

                case string[] items:
                    result.AppendJoin(sep, items.Select(item => named
                        ? name + (item.Length == 0 ? ifemp : "=" + Encode(item, allowReserved))
                        : Encode(item, allowReserved)));
                    break;

                case KeyValuePair<string, string>[] members:
                    result.AppendJoin(sep, members.Select(m => Encode(m.Key, allowReserved)
                        + (named && m.Value.Length == 0 ? ifemp : "=" + Encode(m.Value, allowReserved))));
                    break;

                default:
                    throw new ArgumentException($"unsupported value type {value.GetType()}", nameof(variables));
            }
        }
    }

    /// <summary>The first <paramref name="maxLength"/> characters (code points, not UTF-16 units).</summary>
    private static string Truncate(string text, int maxLength)
    {
        var result = new StringBuilder();
        int count = 0;
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (count++ == maxLength)
            {
                break;
            }

            result.Append(rune.ToString());
        }

        return result.ToString();
    }

    private static string Encode(string text, bool allowReserved)
    {
        var result = new StringBuilder();
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < text.Length;)
        {
            char c = text[i];
            if (Unreserved.Contains(c, StringComparison.Ordinal) || (allowReserved && Reserved.Contains(c, StringComparison.Ordinal)))
            {
                result.Append(c);
                i++;
                continue;
            }

            // Reserved expansion passes percent-encoded triplets through as they are.
            if (allowReserved && c == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
            {
                result.Append(text, i, 3);
                i += 3;
                continue;
            }

            Rune rune = Rune.GetRuneAt(text, i);
            int length = rune.EncodeToUtf8(utf8);
            for (int b = 0; b < length; b++)
            {
                result.Append('%').Append(utf8[b].ToString("X2", CultureInfo.InvariantCulture));
            }

            i += rune.Utf16SequenceLength;
        }

        return result.ToString();
    }
}
