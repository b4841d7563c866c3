using System.Text.Json;
using Herald.Hub.Streams;
using Herald.Sse;
using Herald.Testing;

namespace Herald.Hub.Tests.Streams;

/// <summary>What a reader of one token stream got: the answer's text, every event's id in order,
/// and the final lifecycle event.</summary>
internal sealed record StreamReading(string Text, List<string> Ids, int TokenEvents, JsonElement? End)
{
    public string? EndStatus => End?.GetProperty("status").GetString();

    public long EndTokens => End?.GetProperty("tokens").GetInt64() ?? -1;

    /// <summary>A hub for stream tests: anonymous readers allowed, history room for long streams.</summary>
    public static Task<HubHost> StartHubAsync(Action<HeraldOptions>? configure = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null) =>
        HubHost.StartAsync(
            o =>
            {
                o.AllowAnonymous = true;
                o.HistorySize = 50_000;
                configure?.Invoke(o);
            },
            services);

    public static string StreamUrl(HubHost host, string streamId, string? lastEventId = null) =>
        new Uri(host.BaseAddress, TokenStreamNames.DefaultPath + "/" + streamId).ToString()
        + (lastEventId is null ? string.Empty : "?lastEventID=" + Uri.EscapeDataString(lastEventId));

    /// <summary>Reads from <paramref name="client"/> until the stream's final event (or
    /// <paramref name="stopAfterEvents"/> events), within the bound.</summary>
    public static async Task<StreamReading> ReadAsync(SseTestClient client, StreamReading? before = null, int stopAfterEvents = int.MaxValue, TimeSpan? timeout = null)
    {
        string text = before?.Text ?? string.Empty;
        var ids = new List<string>(before?.Ids ?? []);
        int tokens = before?.TokenEvents ?? 0;
        var builder = new System.Text.StringBuilder(text);
        for (int read = 0; read < stopAfterEvents; read++)
        {
            SseItem item = await client.NextEventAsync(timeout ?? TimeSpan.FromSeconds(30));
            ids.Add(item.LastEventId);
            if (item.Type == TokenStreamNames.LifecycleEventType)
            {
                using JsonDocument document = JsonDocument.Parse(item.Data);
                if (document.RootElement.GetProperty("status").GetString() != "active")
                {
                    return new StreamReading(builder.ToString(), ids, tokens, document.RootElement.Clone());
                }
            }
            else if (item.Type == SseItem.DefaultEventType)
            {
                builder.Append(item.Data);
                tokens++;
            }
        }

        return new StreamReading(builder.ToString(), ids, tokens, null);
    }

    /// <summary>The number after the colon of a stream event id.</summary>
    public static long NumberOf(string id) => long.Parse(id[(id.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
}
