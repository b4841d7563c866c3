using System.IO.Pipelines;
using Herald.Hub.Authorization;
using Herald.Hub.Limits;
using Herald.Hub.Streams;
using Herald.Sse;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Net.Http.Headers;

namespace Herald.Hub.Http;

/// <summary>
/// POST on a token stream: the streaming publish. Opens the stream, then publishes each token of
/// the chunked body as it arrives, and ends the stream when the body ends (done), breaks off or
/// goes silent (error), or someone cancels it. The response is the producer's control channel:
/// <c>active</c> at once, <c>herald-cancel</c> the moment a cancel arrives, then the summary.
/// </summary>
internal sealed class StreamPublishEndpoint(HeraldHub hub, TokenStreams streams, IHubAuthorizer authorizer, PublishRateLimiter rates)
{
    private enum BodyFormat
    {
        EventStream,
        Ndjson,
    }

    public async Task HandleAsync(HttpContext context, string streamId)
    {
        HeraldOptions options = hub.Options;
        HttpRequest request = context.Request;
        if (!await StreamResponses.AcceptAsync(context, options, streamId).ConfigureAwait(false))
        {
            return;
        }

        if (hub.IsDraining)
        {
            // Streams already producing go on; a new one belongs on a node that is staying.
            await HubResponses.DrainingAsync(context, options.RetryAfter).ConfigureAwait(false);
            return;
        }

        if (FormatOf(request) is not { } format)
        {
            await HubResponses.ErrorAsync(context, StatusCodes.Status400BadRequest, "A stream's body must be text/event-stream or application/x-ndjson.").ConfigureAwait(false);
            return;
        }

        // Opening a stream counts as one publish against the rates, however many tokens it carries.
        if (!await rates.AdmitClientAsync(context).ConfigureAwait(false))
        {
            return;
        }

        string topic = TokenStreamNames.TopicOf(streamId);
        if (!await StreamResponses.AuthorizeProducerAsync(context, hub, authorizer, topic, "Producing a stream needs a publisher token: send it as 'Authorization: Bearer <token>'.", rates).ConfigureAwait(false))
        {
            return;
        }

        TokenStreamProducer stream;
        try
        {
            stream = await streams.OpenAsync(streamId, request.Query.ContainsKey("private"), context.RequestAborted).ConfigureAwait(false);
        }
        catch (TokenStreamExistsException exception)
        {
            await HubResponses.ErrorAsync(context, StatusCodes.Status409Conflict, exception.Message).ConfigureAwait(false);
            return;
        }
        catch (TokenStreamLimitException exception)
        {
            await HubResponses.UnavailableAsync(context, options.RetryAfter, exception.Message).ConfigureAwait(false);
            return;
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not ArgumentException)
        {
            await HubResponses.UnavailableAsync(context, options.RetryAfter, $"The stream could not be stored: {exception.Message}").ConfigureAwait(false);
            return;
        }

        // A producer may think for a long time between tokens: Kestrel's minimum data rate would
        // cut it off, so the idle timeout below takes its place. A stream's size is bounded per
        // event, not in total.
        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        PipeWriter output = StreamResponses.StartEventStream(context);
        await StreamResponses.WriteNoticeAsync(output, TokenStreamNames.LifecycleEventType, new TokenStreamNotice(streamId, TokenStreamNotice.Name(TokenStreamStatus.Active))).ConfigureAwait(false);

        await ReadBodyAsync(context, stream, format, options).ConfigureAwait(false);
        if (stream.Status == TokenStreamStatus.Cancelled)
        {
            await StreamResponses.WriteNoticeAsync(output, TokenStreamNames.CancelEventType, new TokenStreamNotice(streamId, Reason: stream.Reason)).ConfigureAwait(false);

            // A half-duplex client (HttpClient over HTTP/1.1) reads the response only after it has
            // sent its whole body: take the rest and discard it, so it can, and gets the summary.
            await DiscardRestAsync(context.Request.BodyReader, options.StreamIdleTimeout, context.RequestAborted).ConfigureAwait(false);
        }

        TokenStreamSummary summary = await stream.Completion.ConfigureAwait(false);
        await StreamResponses.WriteNoticeAsync(output, TokenStreamNames.LifecycleEventType, TokenStreamNotice.Of(summary)).ConfigureAwait(false);
    }

    /// <summary>Reads and drops the body to its end, or until it goes silent for the idle timeout.</summary>
    private static async Task DiscardRestAsync(PipeReader body, TimeSpan idle, CancellationToken aborted)
    {
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        try
        {
            while (true)
            {
                ResetIdle(reading, idle);
                ReadResult result = await body.ReadAsync(reading.Token).ConfigureAwait(false);
                body.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or BadHttpRequestException or ConnectionResetException)
        {
            // Gone or silent: there is nobody left to tell.
        }
    }

    /// <summary>Publishes the body's events until it ends, breaks off, goes silent or the stream
    /// is cancelled; every way out ends the stream.</summary>
    private static async Task ReadBodyAsync(HttpContext context, TokenStreamProducer stream, BodyFormat format, HeraldOptions options)
    {
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stream.Cancelled);
        TimeSpan idle = options.StreamIdleTimeout;
        ResetIdle(reading, idle);
        int maxEventSize = EventSizeLimit.MaxBytes(options);
        IAsyncEnumerable<StreamBodyPart> parts = format == BodyFormat.EventStream
            ? StreamBodyReader.ReadEventStreamAsync(context.Request.BodyReader, maxEventSize, reading.Token)
            : StreamBodyReader.ReadNdjsonAsync(context.Request.BodyReader, maxEventSize, reading.Token);
        try
        {
            await foreach (StreamBodyPart part in parts.ConfigureAwait(false))
            {
                ResetIdle(reading, idle);
                switch (part.Kind)
                {
                    case StreamBodyPartKind.Error:
                        await stream.FailAsync(part.Data.Length > 0 ? part.Data : "The producer failed the stream.").ConfigureAwait(false);
                        return;
                    case StreamBodyPartKind.Event when part.Type is null:
                        await stream.WriteAsync(part.Data, reading.Token).ConfigureAwait(false);
                        break;
                    case StreamBodyPartKind.Event:
                        await stream.WriteEventAsync(part.Type, part.Data, reading.Token).ConfigureAwait(false);
                        break;
                }
            }

            await stream.CompleteAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stream.Cancelled.IsCancellationRequested)
        {
            // Cancelled: the stream has ended already; what the body still carries is discarded.
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            await stream.FailAsync("The producer disconnected before completing the stream.").ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await stream.FailAsync($"The producer sent nothing for {idle.TotalSeconds:0.###} s.").ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or BadHttpRequestException or ConnectionResetException)
        {
            await stream.FailAsync("The producer disconnected before completing the stream.").ConfigureAwait(false);
        }
        catch (SseEventTooLargeException exception)
        {
            await stream.FailAsync($"An event is larger than the hub accepts ({exception.MaxEventSize} bytes).").ConfigureAwait(false);
        }
        catch (InvalidDataException exception)
        {
            await stream.FailAsync($"The body is invalid: {exception.Message}").ConfigureAwait(false);
        }
    }

    private static void ResetIdle(CancellationTokenSource reading, TimeSpan idle)
    {
        if (idle > TimeSpan.Zero)
        {
            reading.CancelAfter(idle);
        }
    }

    private static BodyFormat? FormatOf(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out MediaTypeHeaderValue? type))
        {
            return null;
        }

        return type.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase) ? BodyFormat.EventStream
            : type.MediaType.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase) ? BodyFormat.Ndjson
            : null;
    }
}
