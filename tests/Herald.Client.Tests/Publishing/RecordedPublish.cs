namespace Herald.Client.Tests.Publishing;

/// <summary>One request as <see cref="ScriptedHub"/> received it.</summary>
/// <param name="Form">The decoded form fields, repeated values in order.</param>
/// <param name="Authorization">The Authorization header, empty when none was sent.</param>
/// <param name="ContentType">The Content-Type header.</param>
internal sealed record RecordedPublish(Dictionary<string, string[]> Form, string Authorization, string? ContentType)
{
    /// <summary>The single value of a field, or null when it was not sent.</summary>
    public string? Field(string name) => Form.TryGetValue(name, out string[]? values) ? Assert.Single(values) : null;
}
