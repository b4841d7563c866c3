using System.Text;

namespace Herald.Client.Tests.Scripted;

/// <summary>One request as the scripted server received it.</summary>
public sealed class RecordedRequest(int number, string method, string path, IReadOnlyDictionary<string, string> headers, byte[] body)
{
    /// <summary>1 for the first request the server received, and so on.</summary>
    public int Number { get; } = number;

    public string Method { get; } = method;

    /// <summary>The path and query.</summary>
    public string Path { get; } = path;

    /// <summary>
    /// Header values as Kestrel decoded them: Latin-1, one char per byte, so that
    /// <see cref="RawHeader"/> can give back the bytes on the wire.
    /// </summary>
    public IReadOnlyDictionary<string, string> Headers { get; } = headers;

    public byte[] Body { get; } = body;

    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;

    /// <summary>The header's value exactly as the bytes that came over the wire.</summary>
    public byte[]? RawHeader(string name) => Header(name) is { } value ? Encoding.Latin1.GetBytes(value) : null;

    public override string ToString() => $"#{Number} {Method} {Path}";
}
