namespace Herald.Hub.Selectors;

/// <summary>
/// One row of RFC 6570's table of expression operators (appendix A): what an expansion starts with,
/// what separates its values, whether values are named, and which characters pass unencoded.
/// </summary>
internal sealed class UriTemplateOperator
{
    public static readonly UriTemplateOperator Simple = new(null, first: "", separator: ",", named: false, ifEmpty: "", allowReserved: false);
    public static readonly UriTemplateOperator Reserved = new('+', first: "", separator: ",", named: false, ifEmpty: "", allowReserved: true);
    public static readonly UriTemplateOperator Fragment = new('#', first: "#", separator: ",", named: false, ifEmpty: "", allowReserved: true);
    public static readonly UriTemplateOperator Label = new('.', first: ".", separator: ".", named: false, ifEmpty: "", allowReserved: false);
    public static readonly UriTemplateOperator PathSegment = new('/', first: "/", separator: "/", named: false, ifEmpty: "", allowReserved: false);
    public static readonly UriTemplateOperator PathParameter = new(';', first: ";", separator: ";", named: true, ifEmpty: "", allowReserved: false);
    public static readonly UriTemplateOperator Query = new('?', first: "?", separator: "&", named: true, ifEmpty: "=", allowReserved: false);
    public static readonly UriTemplateOperator QueryContinuation = new('&', first: "&", separator: "&", named: true, ifEmpty: "=", allowReserved: false);

    private UriTemplateOperator(char? symbol, string first, string separator, bool named, string ifEmpty, bool allowReserved)
    {
        Symbol = symbol;
        First = first;
        Separator = separator;
        Named = named;
        IfEmpty = ifEmpty;
        AllowReserved = allowReserved;
    }

    /// <summary>The character after <c>{</c>, or <see langword="null"/> for simple expansion.</summary>
    public char? Symbol { get; }

    /// <summary>Written before the first defined value of the expression.</summary>
    public string First { get; }

    /// <summary>Written between defined values (and between the members of an exploded value).</summary>
    public string Separator { get; }

    /// <summary>Whether each value is written as <c>name=value</c>.</summary>
    public bool Named { get; }

    /// <summary>What follows the name of an empty value (<c>;x</c> but <c>?x=</c>).</summary>
    public string IfEmpty { get; }

    /// <summary>Whether reserved characters (<c>:/?#[]@!$&amp;'()*+,;=</c>) pass unencoded.</summary>
    public bool AllowReserved { get; }

    /// <summary>The operator a character after <c>{</c> stands for, if it is one.</summary>
    public static UriTemplateOperator? FromSymbol(char symbol) => symbol switch
    {
        '+' => Reserved,
        '#' => Fragment,
        '.' => Label,
        '/' => PathSegment,
        ';' => PathParameter,
        '?' => Query,
        '&' => QueryContinuation,
        _ => null,
    };

    /// <summary>Characters RFC 6570 keeps for future operators: a template using one is invalid.</summary>
    public static bool IsReservedForFuture(char symbol) => symbol is '=' or ',' or '!' or '@' or '|';
}
