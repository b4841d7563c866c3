using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Herald.Client.Streams.Relay;

/// <summary>
/// Lenient reads of the upstream's JSON (a field of the wrong kind counts as missing, so a
/// surprising chunk is skipped rather than ending the relay) and the JSON the relay writes.
/// </summary>
internal static class UpstreamJson
{
    public static JsonDocument Parse(string data) => JsonDocument.Parse(data);

    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static bool TryObject(JsonElement element, string name, out JsonElement value) =>
        TryGet(element, name, JsonValueKind.Object, out value);

    public static bool TryArray(JsonElement element, string name, out JsonElement value) =>
        TryGet(element, name, JsonValueKind.Array, out value);

    public static long? Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.TryGetInt64(out long number)
            ? number
            : null;

    private static bool TryGet(JsonElement element, string name, JsonValueKind kind, out JsonElement value)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out value) && value.ValueKind == kind)
        {
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>
    /// An upstream error object as a reason: <c>code: message</c>, where the code is the error's
    /// <c>code</c> or else its <c>type</c>; <paramref name="fallback"/> when it says nothing.
    /// </summary>
    public static string ErrorReason(JsonElement error, string fallback)
    {
        string? message = String(error, "message");
        string? code = String(error, "code") ?? String(error, "type");
        return (code, message) switch
        {
            (not null, { Length: > 0 }) => $"{code}: {message}",
            (null, { Length: > 0 }) => message,
            ({ Length: > 0 }, _) => code,
            _ => fallback,
        };
    }

    /// <summary>
    /// The data of a <see cref="UpstreamPart.ToolCallEventType"/> event, the same for every
    /// format: <c>{"index":0,"id":"...","name":"...","arguments":"..."}</c>, where the first
    /// event of a call carries its id and name and later ones only a piece of its arguments.
    /// </summary>
    public static UpstreamPart ToolCall(long index, string? id, string? name, string arguments)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + arguments.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("index", index);
            if (id is not null)
            {
                writer.WriteString("id", id);
            }

            if (name is not null)
            {
                writer.WriteString("name", name);
            }

            writer.WriteString("arguments", arguments);
            writer.WriteEndObject();
        }

        return UpstreamPart.Event(UpstreamPart.ToolCallEventType, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
