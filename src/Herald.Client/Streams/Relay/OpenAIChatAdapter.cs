using System.Text.Json;

namespace Herald.Client.Streams.Relay;

/// <summary>
/// OpenAI Chat Completions: every chunk is an unnamed event whose JSON has <c>choices</c>; the
/// first choice's <c>delta.content</c> is text, its <c>finish_reason</c> says why it stopped,
/// <c>data: [DONE]</c> ends the stream, and a chunk <c>{"error":{...}}</c> is a failure.
/// </summary>
/// <remarks>
/// Only choice 0 is relayed: a Herald stream is one answer, and a request for <c>n</c> > 1
/// answers would interleave them. The chunk that carries only usage (with
/// <c>stream_options.include_usage</c>) has no choices and adds nothing.
/// </remarks>
internal sealed class OpenAIChatAdapter : IUpstreamAdapter
{
    private const string DoneData = "[DONE]";

    private string? _finishReason;

    /// <summary>Whether the data is the end marker, which is not JSON.</summary>
    public static bool IsDone(string data) => data.AsSpan().Trim() is DoneData;

    public void Read(SseEvent item, List<UpstreamPart> parts)
    {
        if (IsDone(item.Data))
        {
            parts.Add(UpstreamPart.End(_finishReason));
            return;
        }

        using JsonDocument document = UpstreamJson.Parse(item.Data);
        JsonElement chunk = document.RootElement;
        if (UpstreamJson.TryObject(chunk, "error", out JsonElement error))
        {
            parts.Add(UpstreamPart.Error(UpstreamJson.ErrorReason(error, "the upstream reported an error")));
            return;
        }

        if (item.Type == "error")
        {
            // Some compatible servers name the event instead of wrapping the object.
            parts.Add(UpstreamPart.Error(UpstreamJson.ErrorReason(chunk, "the upstream reported an error")));
            return;
        }

        if (!UpstreamJson.TryArray(chunk, "choices", out JsonElement choices))
        {
            return;
        }

        foreach (JsonElement choice in choices.EnumerateArray())
        {
            if ((UpstreamJson.Number(choice, "index") ?? 0) != 0)
            {
                continue;
            }

            if (UpstreamJson.TryObject(choice, "delta", out JsonElement delta))
            {
                ReadDelta(delta, parts);
            }

            _finishReason = UpstreamJson.String(choice, "finish_reason") ?? _finishReason;
        }
    }

    /// <summary>
    /// A stream that stopped (a finish reason arrived) and then ended without <c>[DONE]</c>
    /// counts as ended: some compatible servers leave the marker out. One that never stopped
    /// was cut off.
    /// </summary>
    public UpstreamPart Complete() => _finishReason is not null
        ? UpstreamPart.End(_finishReason)
        : UpstreamPart.Error("the upstream stream ended before its end (data: [DONE])");

    private static void ReadDelta(JsonElement delta, List<UpstreamPart> parts)
    {
        if (UpstreamJson.String(delta, "content") is { Length: > 0 } text)
        {
            parts.Add(UpstreamPart.Text(text));
        }

        if (UpstreamJson.String(delta, "refusal") is { Length: > 0 } refusal)
        {
            parts.Add(UpstreamPart.Event(UpstreamPart.RefusalEventType, refusal));
        }

        if (UpstreamJson.TryArray(delta, "tool_calls", out JsonElement calls))
        {
            foreach (JsonElement call in calls.EnumerateArray())
            {
                UpstreamJson.TryObject(call, "function", out JsonElement function);
                parts.Add(UpstreamJson.ToolCall(
                    UpstreamJson.Number(call, "index") ?? 0,
                    UpstreamJson.String(call, "id"),
                    UpstreamJson.String(function, "name"),
                    UpstreamJson.String(function, "arguments") ?? string.Empty));
            }
        }
    }
}
