namespace Herald.Hub.Selectors;

/// <summary>Literal text of a template, which a topic must contain exactly as written.</summary>
/// <param name="Text">The text, percent-encoded octets left as written.</param>
internal sealed record UriTemplateLiteral(string Text) : UriTemplatePart;
