using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.Client.Streams;

/// <summary>Source-generated JSON for the stream notices, so the client stays trimming and AOT friendly.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StreamNotice))]
internal sealed partial class TokenStreamJsonContext : JsonSerializerContext
{
    /// <summary>Reads a notice; <see langword="null"/> when the text is not one (a hub this client does not understand).</summary>
    public static StreamNotice? ReadNotice(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, Default.StreamNotice);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
