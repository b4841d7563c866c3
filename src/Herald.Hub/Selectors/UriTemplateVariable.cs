namespace Herald.Hub.Selectors;

/// <summary>A variable of an expression (RFC 6570's varspec): its name and modifier.</summary>
/// <param name="Name">The name as written (it may hold percent-encoded octets and dots).</param>
/// <param name="MaxLength">The prefix length of <c>{name:n}</c>, or 0 when there is none.</param>
/// <param name="Explode">Whether the variable carries the explode modifier <c>{name*}</c>.</param>
internal sealed record UriTemplateVariable(string Name, int MaxLength, bool Explode);
