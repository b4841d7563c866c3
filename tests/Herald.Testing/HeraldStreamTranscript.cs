using System.Text;
using System.Text.Json;
using Herald.Hub.Streams;
using Herald.Sse;

namespace Herald.Testing;

/// <summary>
/// What a reader of one Herald token stream got, read the way any reader does (a GET of
/// <c>/.well-known/herald/streams/{id}</c> from its start): the answer's text, the typed
/// events, and the final lifecycle event's status and reason.
/// </summary>
public sealed record HeraldStreamTranscript(string Text, IReadOnlyList<(string Type, string Data)> Events, string Status, string? Reason, long Tokens)
{
    /// <summary>The stream's topic, which a producer's token must allow.</summary>
    public const string StreamTopics = TokenStreamNames.DefaultPath + "/{id}";

    /// <summary>A fresh stream id: ids are single use.</summary>
    public static string NewId(string name) => $"{name}-{Guid.NewGuid():N}";

    /// <summary>
    /// Reads the stream from its start to its final lifecycle event (waiting for it to start if
    /// it has not), within <paramref name="timeout"/> for each event; <paramref name="onEvent"/>
    /// sees every event as it arrives.
    /// </summary>
    public static async Task<HeraldStreamTranscript> ReadAsync(HubHost host, string streamId, Func<SseItem, Task>? onEvent = null, TimeSpan? timeout = null)
    {
        await using SseTestClient client = await SseTestClient.ConnectAsync(host.Client, Url(host.BaseAddress, streamId));
        return await ReadAsync(client, onEvent, timeout);
    }

    /// <summary>The URL of the stream <paramref name="streamId"/> on the hub (or the app embedding one) at <paramref name="baseAddress"/>.</summary>
    public static string Url(Uri baseAddress, string streamId) => new Uri(baseAddress, TokenStreamNames.DefaultPath + "/" + streamId).ToString();

    /// <summary>Reads a stream from a reader already connected to it (with a token of its own, say) to its final lifecycle event.</summary>
    public static async Task<HeraldStreamTranscript> ReadAsync(SseTestClient client, Func<SseItem, Task>? onEvent = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var text = new StringBuilder();
        var events = new List<(string, string)>();
        while (true)
        {
            SseItem item = await client.NextEventAsync(timeout ?? TimeSpan.FromSeconds(30));
            if (onEvent is not null)
            {
                await onEvent(item);
            }

            if (item.Type == SseItem.DefaultEventType)
            {
                text.Append(item.Data);
            }
            else if (item.Type != TokenStreamNames.LifecycleEventType)
            {
                events.Add((item.Type, item.Data));
            }
            else
            {
                using JsonDocument document = JsonDocument.Parse(item.Data);
                JsonElement lifecycle = document.RootElement;
                string status = lifecycle.GetProperty("status").GetString()!;
                if (status != "active")
                {
                    string? reason = lifecycle.TryGetProperty("reason", out JsonElement value) ? value.GetString() : null;
                    return new HeraldStreamTranscript(text.ToString(), events, status, reason, lifecycle.GetProperty("tokens").GetInt64());
                }
            }
        }
    }
}
