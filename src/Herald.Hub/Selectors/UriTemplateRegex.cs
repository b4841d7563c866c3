using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Herald.Hub.Selectors;

/// <summary>
/// Turns a parsed template into a regular expression matching the strings that some expansion of
/// the template produces (RFC 6570 appendix A, run backwards), with each variable free to be
/// undefined, a string, a list or an associative array.
/// </summary>
/// <remarks>
/// <para>The match is exact but for a few allowances, each a little wider than strict expansion:
/// hexadecimal digits of either case in percent-encoded octets (expansion writes upper case), a
/// prefix counting a percent-encoded lead octet and any continuation octets as one character, a
/// variable repeated in a template matched independently at each place, and <c>;name=</c> for a
/// list holding one empty string (appendix A can be read either way).</para>
/// <para>The pattern uses only constructs that <see cref="RegexOptions.NonBacktracking"/> supports
/// (no captures, lookarounds or backreferences), so matching is linear in the topic's length.</para>
/// </remarks>
internal static class UriTemplateRegex
{
    private const string Hex = "[0-9A-Fa-f]";
    private const string PercentEncoded = "%" + Hex + "{2}";
    private const string Unreserved = "-.0-9A-Z_a-z~";
    private const string ReservedChars = @":/?#\[\]@!$&'()*+,;=";

    public static string Build(IReadOnlyList<UriTemplatePart> parts)
    {
        var pattern = new StringBuilder(@"\A");
        foreach (UriTemplatePart part in parts)
        {
            switch (part)
            {
                case UriTemplateLiteral literal:
                    pattern.Append(Regex.Escape(literal.Text));
                    break;
                case UriTemplateExpression expression:
                    AppendExpression(pattern, expression);
                    break;
            }
        }

        return pattern.Append(@"\z").ToString();
    }

    /// <summary>
    /// An expression writes nothing when all its variables are undefined; otherwise its first string,
    /// then the defined variables' values joined by its separator. Which variables are defined is free.
    /// </summary>
    private static void AppendExpression(StringBuilder pattern, UriTemplateExpression expression)
    {
        UriTemplateOperator op = expression.Operator;
        IReadOnlyList<UriTemplateVariable> variables = expression.Variables;
        string separator = Regex.Escape(op.Separator);

        if (op.First == op.Separator)
        {
            // When the first string is the separator ('.', '/', ';', '&'), every defined value is
            // just preceded by it: (?:sep v1)?(?:sep v2)?... says it all.
            foreach (UriTemplateVariable variable in variables)
            {
                pattern.Append("(?:").Append(separator).Append(Value(op, variable)).Append(")?");
            }

            return;
        }

        // Otherwise "some of v1..vj, joined by the separator" is Pj = (?:P(j-1)(?:sep vj)?|vj), P1 = v1:
        // either an earlier variable is defined (and vj follows it after a separator, or is undefined),
        // or vj is the first defined one. Each variable's pattern is written at most twice, so the
        // result grows linearly with the number of variables; the opening groups all come first.
        pattern.Append("(?:").Append(Regex.Escape(op.First));
        for (int j = 1; j < variables.Count; j++)
        {
            pattern.Append("(?:");
        }

        pattern.Append(Value(op, variables[0]));
        for (int j = 1; j < variables.Count; j++)
        {
            string value = Value(op, variables[j]);
            pattern.Append("(?:").Append(separator).Append(value).Append(")?|").Append(value).Append(')');
        }

        pattern.Append(")?");
    }

    /// <summary>What one defined variable can expand to, separators around it excluded.</summary>
    private static string Value(UriTemplateOperator op, UriTemplateVariable variable)
    {
        string allowed = op.AllowReserved ? Unreserved + ReservedChars : Unreserved;

        // One encoded character: an allowed one as is, or a percent-encoded octet.
        string unit = "(?:[" + allowed + "]|" + PercentEncoded + ")";
        string chars = unit + "*";

        // An unexploded list or associative array joins its items (or keys and values) with ','.
        string items = op.AllowReserved ? chars : "(?:[" + allowed + ",]|" + PercentEncoded + ")*";
        string name = Regex.Escape(variable.Name);
        bool emptyIsBare = op.IfEmpty.Length == 0;

        if (variable.MaxLength > 0)
        {
            // Prefixes apply to strings only and count characters of the value: a character that was
            // percent-encoded as UTF-8 is a lead octet and its continuation octets (%80 to %BF).
            string character = "(?:[" + allowed + "]|" + PercentEncoded + "(?:%[89ABab]" + Hex + ")*)";
            string Prefix(int min) => character + string.Create(CultureInfo.InvariantCulture, $"{{{min},{variable.MaxLength}}}");
            if (!op.Named)
            {
                return Prefix(0);
            }

            return emptyIsBare ? name + "(?:=" + Prefix(1) + ")?" : name + "=" + Prefix(0);
        }

        if (!variable.Explode)
        {
            // A string is one item; ';' writes an empty string as the bare name, '?' and '&' as "name=".
            if (!op.Named)
            {
                return items;
            }

            return emptyIsBare ? name + "(?:=" + items + ")?" : name + "=" + items;
        }

        string separator = Regex.Escape(op.Separator);
        if (!op.Named)
        {
            // An exploded list joins its items with the separator, an exploded associative array its
            // key=value pairs (a string is a one-item list).
            string pair = chars + "=" + chars;
            return "(?:" + chars + "(?:" + separator + chars + ")*|" + pair + "(?:" + separator + pair + ")*)";
        }

        // Named and exploded, every member is key=value (a list repeats the variable's name as key,
        // which any key covers); an empty value is the bare key for ';', "key=" for '?' and '&'.
        string member = emptyIsBare ? chars + "(?:=" + unit + "+)?" : chars + "=" + chars;
        return member + "(?:" + separator + member + ")*";
    }
}
