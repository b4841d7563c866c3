namespace Herald.Hub.Selectors;

/// <summary>An expression of a template: <c>{</c>, an operator, one or more variables, <c>}</c>.</summary>
/// <param name="Operator">The operator (simple expansion when the expression has none).</param>
/// <param name="Variables">The variables, in order; never empty.</param>
internal sealed record UriTemplateExpression(UriTemplateOperator Operator, IReadOnlyList<UriTemplateVariable> Variables) : UriTemplatePart;
