using System.Text.Json;

namespace Herald.Client.Streams.Relay;

/// <summary>
/// Anthropic Messages: named events whose JSON repeats the name in <c>type</c>.
/// <c>content_block_delta</c> with a <c>text_delta</c> carries text, <c>message_delta</c> the
/// stop reason, <c>message_stop</c> ends the stream, <c>ping</c> is a keep-alive, and
/// <c>event: error</c> (an overloaded API, mid-stream) is a failure.
/// </summary>
internal sealed class AnthropicAdapter : IUpstreamAdapter
{
    private string? _stopReason;

    /// <summary>Whether an event of this type (from its name or its JSON) belongs to this format.</summary>
    public static bool IsOwnType(string type) => type is
        "message_start" or "message_delta" or "message_stop" or "ping" or
        "content_block_start" or "content_block_delta" or "content_block_stop";

    public void Read(SseEvent item, List<UpstreamPart> parts)
    {
        using JsonDocument document = UpstreamJson.Parse(item.Data);
        JsonElement data = document.RootElement;
        switch (UpstreamJson.String(data, "type") ?? item.Type)
        {
            case "content_block_start":
                if (UpstreamJson.TryObject(data, "content_block", out JsonElement block))
                {
                    ReadBlockStart(UpstreamJson.Number(data, "index") ?? 0, block, parts);
                }

                break;
            case "content_block_delta":
                if (UpstreamJson.TryObject(data, "delta", out JsonElement delta))
                {
                    ReadDelta(UpstreamJson.Number(data, "index") ?? 0, delta, parts);
                }

                break;
            case "message_delta":
                if (UpstreamJson.TryObject(data, "delta", out JsonElement message))
                {
                    _stopReason = UpstreamJson.String(message, "stop_reason") ?? _stopReason;
                }

                break;
            case "message_stop":
                parts.Add(UpstreamPart.End(_stopReason));
                break;
            case "error":
                UpstreamJson.TryObject(data, "error", out JsonElement error);
                parts.Add(UpstreamPart.Error(UpstreamJson.ErrorReason(error, "the upstream reported an error")));
                break;
        }
    }

    public UpstreamPart Complete() => UpstreamPart.Error("the upstream stream ended before its end (message_stop)");

    private static void ReadBlockStart(long index, JsonElement block, List<UpstreamPart> parts)
    {
        switch (UpstreamJson.String(block, "type"))
        {
            case "text" when UpstreamJson.String(block, "text") is { Length: > 0 } text:
                parts.Add(UpstreamPart.Text(text));
                break;
            case "tool_use":
                parts.Add(UpstreamJson.ToolCall(index, UpstreamJson.String(block, "id"), UpstreamJson.String(block, "name"), string.Empty));
                break;
        }
    }

    private static void ReadDelta(long index, JsonElement delta, List<UpstreamPart> parts)
    {
        switch (UpstreamJson.String(delta, "type"))
        {
            case "text_delta" when UpstreamJson.String(delta, "text") is { Length: > 0 } text:
                parts.Add(UpstreamPart.Text(text));
                break;
            case "thinking_delta" when UpstreamJson.String(delta, "thinking") is { Length: > 0 } thinking:
                parts.Add(UpstreamPart.Event(UpstreamPart.ReasoningEventType, thinking));
                break;
            case "input_json_delta":
                parts.Add(UpstreamJson.ToolCall(index, null, null, UpstreamJson.String(delta, "partial_json") ?? string.Empty));
                break;
        }
    }
}
