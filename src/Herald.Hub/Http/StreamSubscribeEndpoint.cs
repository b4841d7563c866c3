using Herald.Hub.Selectors;
using Herald.Hub.Streams;
using Microsoft.AspNetCore.Http;

namespace Herald.Hub.Http;

/// <summary>
/// GET on a token stream: the hub's subscription to the stream's topic, from the stream's start
/// (or after <c>Last-Event-ID</c>) to its final lifecycle event.
/// </summary>
internal sealed class StreamSubscribeEndpoint(HeraldHub hub, SubscribeEndpoint subscribe)
{
    public async Task HandleAsync(HttpContext context, string streamId)
    {
        if (!await StreamResponses.AcceptAsync(context, hub.Options, streamId).ConfigureAwait(false))
        {
            return;
        }

        string topic = TokenStreamNames.TopicOf(streamId);
        if (!hub.Selectors.TryGet(topic, out TopicSelector? selector, out string? error))
        {
            await HubResponses.ErrorAsync(context, StatusCodes.Status400BadRequest, $"The stream's topic is not a valid selector: {error}").ConfigureAwait(false);
            return;
        }

        await subscribe.SubscribeAsync(context, [selector!], streamId).ConfigureAwait(false);
    }
}
