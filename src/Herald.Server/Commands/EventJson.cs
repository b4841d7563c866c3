using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Herald.Server.Commands;

/// <summary>
/// The one JSON line per event that <c>herald parse</c> and <c>herald listen --json</c> print:
/// <c>{"type":...,"data":...,"id":...}</c> (plus <c>"retry"</c> when known), or
/// <c>{"comment":...}</c>.
/// </summary>
internal static class EventJson
{
    public static readonly JsonWriterOptions Options = new()
    {
        // Keep non-ASCII text readable; control characters are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void WriteEvent(Utf8JsonWriter json, IBufferWriter<byte> lines, string type, string data, string id, long? retry = null)
    {
        json.Reset(lines);
        json.WriteStartObject();
        json.WriteString("type", type);
        json.WriteString("data", data);
        json.WriteString("id", id);
        if (retry is { } milliseconds)
        {
            json.WriteNumber("retry", milliseconds);
        }

        End(json, lines);
    }

    public static void WriteComment(Utf8JsonWriter json, IBufferWriter<byte> lines, string text)
    {
        json.Reset(lines);
        json.WriteStartObject();
        json.WriteString("comment", text);
        End(json, lines);
    }

    private static void End(Utf8JsonWriter json, IBufferWriter<byte> lines)
    {
        json.WriteEndObject();
        json.Flush();
        lines.Write("\n"u8);
    }
}
