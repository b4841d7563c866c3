using System.Text.Json;

namespace Herald.Client.Streams.Relay;

/// <summary>
/// <see cref="RelayFormat.Auto"/>: picks the format from the first event and hands every event,
/// that one included, to its adapter. Named events tell at once (<c>response.*</c> is OpenAI
/// Responses, <c>message_start</c> or <c>ping</c> Anthropic); an unnamed one is Chat Completions
/// when it is <c>[DONE]</c> or its JSON has <c>choices</c> or <c>error</c>, else its JSON
/// <c>type</c> decides, as for a proxy that drops the event names.
/// </summary>
internal sealed class AutoDetectAdapter : IUpstreamAdapter
{
    private IUpstreamAdapter? _chosen;

    /// <summary>The format the first event showed, once one arrived.</summary>
    public RelayFormat? Detected { get; private set; }

    public void Read(SseEvent item, List<UpstreamPart> parts)
    {
        if (_chosen is null)
        {
            if (Detect(item) is not { } format)
            {
                parts.Add(UpstreamPart.Error($"cannot tell the upstream's format from its first event (type '{item.Type}'); name the format"));
                return;
            }

            Detected = format;
            _chosen = UpstreamAdapters.Create(format);
        }

        _chosen.Read(item, parts);
    }

    public UpstreamPart Complete() => _chosen?.Complete() ?? UpstreamPart.Error("the upstream stream ended without sending an event");

    /// <summary>The format <paramref name="item"/> belongs to, or <see langword="null"/> when it could be any or none.</summary>
    internal static RelayFormat? Detect(SseEvent item)
    {
        if (OpenAIResponsesAdapter.IsOwnType(item.Type))
        {
            return RelayFormat.OpenAIResponses;
        }

        if (AnthropicAdapter.IsOwnType(item.Type))
        {
            return RelayFormat.Anthropic;
        }

        if (OpenAIChatAdapter.IsDone(item.Data))
        {
            return RelayFormat.OpenAIChat;
        }

        try
        {
            using JsonDocument document = UpstreamJson.Parse(item.Data);
            JsonElement data = document.RootElement;
            string? type = UpstreamJson.String(data, "type");
            return type switch
            {
                _ when UpstreamJson.TryArray(data, "choices", out _) || (type is null && UpstreamJson.TryObject(data, "error", out _)) => RelayFormat.OpenAIChat,
                not null when OpenAIResponsesAdapter.IsOwnType(type) => RelayFormat.OpenAIResponses,
                not null when AnthropicAdapter.IsOwnType(type) => RelayFormat.Anthropic,
                // Both name their failures "error"; only Responses numbers its events.
                "error" => UpstreamJson.Number(data, "sequence_number") is null ? RelayFormat.Anthropic : RelayFormat.OpenAIResponses,
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
