using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Herald.Hub.Selectors;

/// <summary>
/// Reads a URI template by the grammar of RFC 6570 section 2 (level 4), reporting the first thing
/// that is wrong with an invalid one in words a client can act on.
/// </summary>
internal static class UriTemplateParser
{
    /// <summary>The largest prefix length RFC 6570 allows (<c>max-length</c> has at most four digits).</summary>
    public const int MaxPrefixLength = 9999;

    public static bool TryParse(
        string template,
        [NotNullWhen(true)] out IReadOnlyList<UriTemplatePart>? parts,
        [NotNullWhen(false)] out string? error)
    {
        var result = new List<UriTemplatePart>();
        var literal = new StringBuilder();
        parts = null;
        int i = 0;
        while (i < template.Length)
        {
            char c = template[i];
            if (c == '{')
            {
                if (literal.Length > 0)
                {
                    result.Add(new UriTemplateLiteral(literal.ToString()));
                    literal.Clear();
                }

                if (!TryParseExpression(template, i, out UriTemplateExpression? expression, out int end, out error))
                {
                    return false;
                }

                result.Add(expression);
                i = end;
                continue;
            }

            if (c == '}')
            {
                error = Invalid($"the '}}' at index {i} closes no expression");
                return false;
            }

            if (c == '%')
            {
                if (!IsPercentEncoded(template, i, template.Length))
                {
                    error = Invalid($"the '%' at index {i} does not start a percent-encoded octet ('%' and two hexadecimal digits)");
                    return false;
                }

                literal.Append(template, i, 3);
                i += 3;
                continue;
            }

            if (!Rune.TryGetRuneAt(template, i, out Rune rune))
            {
                error = Invalid($"index {i} holds half of a UTF-16 surrogate pair");
                return false;
            }

            if (!IsLiteral(rune))
            {
                error = Invalid($"{Describe(rune)} at index {i} is not allowed in a URI template (percent-encode it)");
                return false;
            }

            literal.Append(template, i, rune.Utf16SequenceLength);
            i += rune.Utf16SequenceLength;
        }

        if (literal.Length > 0)
        {
            result.Add(new UriTemplateLiteral(literal.ToString()));
        }

        parts = result;
        error = null;
        return true;
    }

    /// <summary>Reads the expression whose <c>{</c> is at <paramref name="open"/>; <paramref name="end"/> is just past its <c>}</c>.</summary>
    private static bool TryParseExpression(
        string template,
        int open,
        [NotNullWhen(true)] out UriTemplateExpression? expression,
        out int end,
        [NotNullWhen(false)] out string? error)
    {
        expression = null;
        end = 0;

        // Find the closing brace first, so that a missing one is reported as such rather than as
        // whatever unexpected character the variable list happens to run into.
        int close = template.IndexOf('}', open + 1);
        if (close < 0)
        {
            error = Invalid($"the '{{' at index {open} is never closed by a '}}'");
            return false;
        }

        int nested = template.IndexOf('{', open + 1, close - open - 1);
        if (nested >= 0)
        {
            error = Invalid($"the '{{' at index {nested} is inside the expression opened at index {open} (expressions do not nest)");
            return false;
        }

        int i = open + 1;
        if (i == close)
        {
            error = Invalid($"the expression at index {open} is empty");
            return false;
        }

        UriTemplateOperator op = UriTemplateOperator.Simple;
        if (UriTemplateOperator.FromSymbol(template[i]) is { } found)
        {
            op = found;
            i++;
        }
        else if (UriTemplateOperator.IsReservedForFuture(template[i]))
        {
            error = Invalid($"the operator '{template[i]}' at index {i} is reserved by RFC 6570 for future extensions");
            return false;
        }

        var variables = new List<UriTemplateVariable>();
        while (true)
        {
            if (!TryParseVariable(template, ref i, close, out UriTemplateVariable? variable, out error))
            {
                return false;
            }

            variables.Add(variable);
            if (i == close)
            {
                break;
            }

            if (template[i] == ',')
            {
                i++;
                continue;
            }

            error = template[i] == '*' && variable.MaxLength > 0
                ? Invalid($"the variable '{variable.Name}' at index {i} has both a prefix and an explode modifier (it may have one)")
                : Invalid($"{Describe(template, i)} at index {i} was found where ',' or '}}' was expected");
            return false;
        }

        expression = new UriTemplateExpression(op, variables);
        end = close + 1;
        error = null;
        return true;
    }

    /// <summary>Reads <c>varname [ ":" max-length / "*" ]</c> from <paramref name="i"/>, stopping before <paramref name="close"/>.</summary>
    private static bool TryParseVariable(
        string template,
        ref int i,
        int close,
        [NotNullWhen(true)] out UriTemplateVariable? variable,
        [NotNullWhen(false)] out string? error)
    {
        variable = null;
        int start = i;

        // varname = varchar *( ["."] varchar ): a dot only between two varchars.
        bool afterDot = false;
        while (i < close)
        {
            char c = template[i];
            if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                i++;
            }
            else if (c == '%')
            {
                if (!IsPercentEncoded(template, i, close))
                {
                    error = Invalid($"the '%' at index {i} does not start a percent-encoded octet ('%' and two hexadecimal digits)");
                    return false;
                }

                i += 3;
            }
            else if (c == '.' && i > start && !afterDot)
            {
                afterDot = true;
                i++;
                continue;
            }
            else
            {
                break;
            }

            afterDot = false;
        }

        if (i == start)
        {
            error = i == close
                ? Invalid($"a variable name was expected at index {i}")
                : Invalid($"a variable name was expected at index {i}, not {Describe(template, i)} (names are letters, digits, '_', percent-encoded octets and single dots between them)");
            return false;
        }

        if (afterDot)
        {
            error = Invalid($"the '.' at index {i - 1} in a variable name is not followed by a letter, digit, '_' or percent-encoded octet");
            return false;
        }

        string name = template[start..i];
        int maxLength = 0;
        bool explode = false;
        if (i < close && template[i] == ':')
        {
            i++;
            int digits = i;
            while (i < close && char.IsAsciiDigit(template[i]))
            {
                i++;
            }

            // max-length = %x31-39 0*3DIGIT: 1 to 9999, without leading zeros.
            if (i == digits || i - digits > 4 || template[digits] == '0')
            {
                error = Invalid($"the prefix length of '{name}' at index {digits} must be a whole number from 1 to {MaxPrefixLength}");
                return false;
            }

            maxLength = int.Parse(template.AsSpan(digits, i - digits), NumberStyles.None, CultureInfo.InvariantCulture);
        }
        else if (i < close && template[i] == '*')
        {
            explode = true;
            i++;
        }

        variable = new UriTemplateVariable(name, maxLength, explode);
        error = null;
        return true;
    }

    private static bool IsPercentEncoded(string template, int percent, int limit) =>
        percent + 2 < limit && char.IsAsciiHexDigit(template[percent + 1]) && char.IsAsciiHexDigit(template[percent + 2]);

    /// <summary>
    /// RFC 6570's <c>literals</c> (less <c>%</c>, handled by the caller): printable ASCII except
    /// <c>"'%&lt;&gt;\^`{|}</c>, and the non-ASCII characters IRIs allow (<c>ucschar</c> and <c>iprivate</c>).
    /// </summary>
    private static bool IsLiteral(Rune rune)
    {
        int c = rune.Value;
        if (c < 0x80)
        {
            return c > 0x20 && c < 0x7F && c is not ('"' or '\'' or '%' or '<' or '>' or '\\' or '^' or '`' or '{' or '|' or '}');
        }

        return c is (>= 0xA0 and <= 0xD7FF) or (>= 0xE000 and <= 0xFDCF) or (>= 0xFDF0 and <= 0xFFEF)
            || (c >= 0x10000 && (c & 0xFFFF) <= 0xFFFD && (c < 0xE0000 || c >= 0xE1000));
    }

    private static string Describe(string template, int index) =>
        Rune.TryGetRuneAt(template, index, out Rune rune)
            ? Describe(rune)
            : string.Create(CultureInfo.InvariantCulture, $"U+{(int)template[index]:X4} (half of a surrogate pair)");

    private static string Describe(Rune rune) =>
        rune.Value is > 0x20 and < 0x7F
            ? string.Create(CultureInfo.InvariantCulture, $"'{rune}'")
            : string.Create(CultureInfo.InvariantCulture, $"U+{rune.Value:X4}");

    private static string Invalid(string detail) => "Invalid URI template: " + detail + ".";
}
