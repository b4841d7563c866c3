using System.Text.Json;

namespace Herald.Client.Streams.Relay;

/// <summary>
/// OpenAI Responses: named events whose JSON repeats the name in <c>type</c> and numbers every
/// event in <c>sequence_number</c>. <c>response.output_text.delta</c> carries text,
/// <c>response.completed</c> ends the stream; <c>response.failed</c>,
/// <c>response.incomplete</c> and <c>error</c> are failures.
/// </summary>
/// <remarks>
/// The sequence numbers must follow each other: a gap or a step back means events were lost or
/// reordered on the way, and an answer with a hole in it is an error, not a finished answer.
/// <c>response.incomplete</c> (the token budget ran out, or a content filter stopped the
/// response) is an error too: the API itself does not call such a response completed.
/// </remarks>
internal sealed class OpenAIResponsesAdapter : IUpstreamAdapter
{
    private long? _lastSequence;

    /// <summary>Whether an event of this type (from its name or its JSON) belongs to this format.</summary>
    public static bool IsOwnType(string type) => type.StartsWith("response.", StringComparison.Ordinal);

    public void Read(SseEvent item, List<UpstreamPart> parts)
    {
        using JsonDocument document = UpstreamJson.Parse(item.Data);
        JsonElement data = document.RootElement;
        if (UpstreamJson.Number(data, "sequence_number") is { } sequence)
        {
            if (_lastSequence is { } last && sequence != last + 1)
            {
                parts.Add(UpstreamPart.Error($"the upstream's sequence_number went from {last} to {sequence}: events were lost or reordered"));
                return;
            }

            _lastSequence = sequence;
        }

        string type = UpstreamJson.String(data, "type") ?? item.Type;
        switch (type)
        {
            case "response.output_text.delta":
                if (UpstreamJson.String(data, "delta") is { Length: > 0 } text)
                {
                    parts.Add(UpstreamPart.Text(text));
                }

                break;
            case "response.completed":
                UpstreamJson.TryObject(data, "response", out JsonElement completed);
                parts.Add(UpstreamPart.End(UpstreamJson.String(completed, "status") ?? "completed"));
                break;
            case "response.failed":
                UpstreamJson.TryObject(data, "response", out JsonElement failed);
                UpstreamJson.TryObject(failed, "error", out JsonElement failure);
                parts.Add(UpstreamPart.Error(UpstreamJson.ErrorReason(failure, "the upstream response failed")));
                break;
            case "response.incomplete":
                UpstreamJson.TryObject(data, "response", out JsonElement incomplete);
                UpstreamJson.TryObject(incomplete, "incomplete_details", out JsonElement details);
                parts.Add(UpstreamPart.Error("incomplete: " + (UpstreamJson.String(details, "reason") ?? "the upstream response is incomplete")));
                break;
            case "error":
                // The reference puts code and message on the event; some servers nest them in "error".
                JsonElement error = UpstreamJson.TryObject(data, "error", out JsonElement nested) ? nested : data;
                parts.Add(UpstreamPart.Error(UpstreamJson.ErrorReason(error, "the upstream reported an error")));
                break;
            case "response.refusal.delta":
                AddEvent(parts, UpstreamPart.RefusalEventType, UpstreamJson.String(data, "delta"));
                break;
            case "response.reasoning_text.delta" or "response.reasoning_summary_text.delta":
                AddEvent(parts, UpstreamPart.ReasoningEventType, UpstreamJson.String(data, "delta"));
                break;
            case "response.output_item.added":
                if (UpstreamJson.TryObject(data, "item", out JsonElement added) && UpstreamJson.String(added, "type") == "function_call")
                {
                    parts.Add(UpstreamJson.ToolCall(
                        UpstreamJson.Number(data, "output_index") ?? 0,
                        UpstreamJson.String(added, "call_id"),
                        UpstreamJson.String(added, "name"),
                        UpstreamJson.String(added, "arguments") ?? string.Empty));
                }

                break;
            case "response.function_call_arguments.delta":
                parts.Add(UpstreamJson.ToolCall(UpstreamJson.Number(data, "output_index") ?? 0, null, null, UpstreamJson.String(data, "delta") ?? string.Empty));
                break;
        }
    }

    public UpstreamPart Complete() => UpstreamPart.Error("the upstream stream ended before its end (response.completed)");

    private static void AddEvent(List<UpstreamPart> parts, string type, string? text)
    {
        if (text is { Length: > 0 })
        {
            parts.Add(UpstreamPart.Event(type, text));
        }
    }
}
