using System.IO.Pipelines;
using Herald.Hub.Authorization;
using Herald.Hub.Streams;
using Microsoft.AspNetCore.Http;

namespace Herald.Hub.Http;

/// <summary>
/// GET on a token stream's <c>control</c>: the producer's control channel as a request of its
/// own, for producers whose HTTP client cannot read a response while it still sends the request
/// (HttpClient over HTTP/1.1 is one). Says <c>active</c>, then <c>herald-cancel</c> if someone
/// cancels, then the final status, and ends.
/// </summary>
internal sealed class StreamControlEndpoint(HeraldHub hub, TokenStreams streams, IHubAuthorizer authorizer)
{
    public async Task HandleAsync(HttpContext context, string streamId)
    {
        if (!await StreamResponses.AcceptAsync(context, hub.Options, streamId).ConfigureAwait(false))
        {
            return;
        }

        string topic = TokenStreamNames.TopicOf(streamId);
        if (!await StreamResponses.AuthorizeProducerAsync(context, hub, authorizer, topic, "A stream's control channel needs its producer's token.").ConfigureAwait(false))
        {
            return;
        }

        if (!streams.TryGet(streamId, out TokenStreamProducer? stream))
        {
            await HubResponses.ErrorAsync(context, StatusCodes.Status404NotFound, "This hub has no such stream open (not yet, or not here).").ConfigureAwait(false);
            return;
        }

        PipeWriter output = StreamResponses.StartEventStream(context);
        CancellationToken aborted = context.RequestAborted;
        if (stream!.Status == TokenStreamStatus.Active)
        {
            await StreamResponses.WriteNoticeAsync(output, TokenStreamNames.LifecycleEventType, new TokenStreamNotice(streamId, TokenStreamNotice.Name(TokenStreamStatus.Active))).ConfigureAwait(false);
            await Task.WhenAny(Task.Delay(Timeout.Infinite, stream.Cancelled), stream.Completion, Task.Delay(Timeout.Infinite, aborted)).ConfigureAwait(false);
        }

        if (aborted.IsCancellationRequested)
        {
            return;
        }

        if (stream.Status == TokenStreamStatus.Cancelled)
        {
            await StreamResponses.WriteNoticeAsync(output, TokenStreamNames.CancelEventType, new TokenStreamNotice(streamId, Reason: stream.Reason)).ConfigureAwait(false);
        }

        TokenStreamSummary summary = await stream.Completion.WaitAsync(aborted).ConfigureAwait(false);
        await StreamResponses.WriteNoticeAsync(output, TokenStreamNames.LifecycleEventType, TokenStreamNotice.Of(summary)).ConfigureAwait(false);
    }
}
