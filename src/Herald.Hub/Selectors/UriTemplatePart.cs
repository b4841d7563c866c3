namespace Herald.Hub.Selectors;

/// <summary>A piece of a parsed URI template: literal text or an expression.</summary>
internal abstract record UriTemplatePart;
