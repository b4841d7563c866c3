namespace Herald.Client.Streams;

/// <summary>A response's status, headers (names compared case-insensitively, repeats joined by commas) and body.</summary>
internal sealed class Http1Response(int statusCode, Dictionary<string, string> headers, Stream body)
{
    public int StatusCode { get; } = statusCode;

    public Stream Body { get; } = body;

    public string? Header(string name) => headers.GetValueOrDefault(name);
}
