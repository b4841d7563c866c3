using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text.Json;
using Herald.Hub.Authorization;
using Herald.Hub.Delivery;
using Herald.Hub.Diagnostics;
using Herald.Hub.History;
using Herald.Hub.Limits;
using Herald.Hub.Selectors;
using Herald.Hub.Streams;
using Herald.Hub.Subscriptions;
using Herald.Sse;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Herald.Hub.Http;

/// <summary>
/// GET on the hub: an SSE stream of the updates matching the request's topic selectors. Checks
/// the token, admits the subscriber under the cap per client address and the connection cap, replays history after the last
/// event id, then delivers live updates until the client leaves or the subscription's deadline.
/// Reading one token stream (<see cref="StreamSubscribeEndpoint"/>) is the same subscription with
/// the stream's topic, starting at the stream's start and ending after its final event.
/// </summary>
internal sealed class SubscribeEndpoint(HeraldHub hub, IHubAuthorizer authorizer, ActiveSubscriptions subscriptions, TokenStreams streams)
{
    /// <summary>How many updates one history read returns; the replay holds one page at a time.</summary>
    private const int ReplayPageSize = 256;

    /// <summary>How long a subscription waits for a cluster node to reach its shared history
    /// before it is told to come back later.</summary>
    private static readonly TimeSpan FollowStartWait = TimeSpan.FromSeconds(5);

    /// <summary>What a subscription's <c>Cache-Control</c> says: never store, never reuse.</summary>
    internal const string CacheControl = "private, no-cache, no-store, must-revalidate, max-age=0";

    public async Task HandleAsync(HttpContext context)
    {
        HeraldOptions options = hub.Options;
        HubCors.Apply(context, options);

        if (SelectorsOf(context.Request.Query["topic"], options, out string? problem) is not { } selectors)
        {
            await HubResponses.ErrorAsync(context, StatusCodes.Status400BadRequest, problem!).ConfigureAwait(false);
            return;
        }

        await SubscribeAsync(context, selectors, streamId: null).ConfigureAwait(false);
    }

    /// <summary>Authorizes, admits and streams a subscription to <paramref name="selectors"/>;
    /// with <paramref name="streamId"/>, a subscription to that one token stream.</summary>
    internal async Task SubscribeAsync(HttpContext context, TopicSelector[] selectors, string? streamId)
    {
        HeraldOptions options = hub.Options;
        if (hub.IsDraining)
        {
            await HubResponses.DrainingAsync(context, options.RetryAfter).ConfigureAwait(false);
            return;
        }

        HubAuthorizationResult authorization = await authorizer.AuthorizeAsync(context.Request, HubRole.Subscriber, context.RequestAborted).ConfigureAwait(false);
        // Never a silent fall-back to anonymous: an invalid or expired token is refused, not ignored.
        if (authorization.Status == HubAuthorizationStatus.Invalid
            || (authorization.Status == HubAuthorizationStatus.Anonymous && !options.AllowAnonymous))
        {
            hub.Metrics.Refused(HubMetrics.RefusedUnauthorized);
            hub.SubscriptionLog.Refused(authorization.Status == HubAuthorizationStatus.Invalid ? "invalid token" : "no token, and anonymous subscribers are not accepted");
            await HubResponses.UnauthorizedAsync(context, authorization, "Subscribing needs a token: this hub does not accept anonymous subscribers.").ConfigureAwait(false);
            return;
        }

        // One client address may not take the places everyone else shares.
        IPAddress? client = ClientAddress.Of(context);
        if (!hub.SubscribersPerClient.TryEnter(client))
        {
            hub.Metrics.Refused(HubMetrics.RefusedClientLimit);
            hub.SubscriptionLog.Refused("the client address is at its subscription limit");
            await HubResponses.TooManyRequestsAsync(context, options.RetryAfter, $"This address holds the most subscriptions the hub allows one client ({hub.SubscribersPerClient.MaxPerClient}); close one or retry later.").ConfigureAwait(false);
            return;
        }

        try
        {
            await AdmitAsync(context, selectors, authorization.Claims, streamId).ConfigureAwait(false);
        }
        finally
        {
            hub.SubscribersPerClient.Leave(client);
        }
    }

    /// <summary>Streams the subscription if the hub has room for one more subscriber; 503 if not.</summary>
    private async Task AdmitAsync(HttpContext context, TopicSelector[] selectors, HubClaims? claims, string? streamId)
    {
        // An HTTP/1.x subscriber holds a connection (a file descriptor) of its own; an HTTP/2
        // stream shares its connection with others.
        bool holdsConnection = HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol);
        if (!hub.TryAdmit(holdsConnection))
        {
            hub.Metrics.Refused(HubMetrics.RefusedAtLimit);
            hub.SubscriptionLog.Refused("the hub is at its subscriber limit");
            await HubResponses.UnavailableAsync(context, hub.Options.RetryAfter, "The hub is at its subscriber limit; retry later.").ConfigureAwait(false);
            return;
        }

        try
        {
            await StreamAsync(context, selectors, claims, streamId).ConfigureAwait(false);
        }
        finally
        {
            hub.Leave(holdsConnection);
        }
    }

    private async Task StreamAsync(HttpContext context, TopicSelector[] selectors, HubClaims? claims, string? streamId)
    {
        HeraldOptions options = hub.Options;
        string? lastEventId = LastEventIdOf(context.Request);
        if (streamId is not null && lastEventId == HistoryCursor.Earliest)
        {
            // A stream's earliest is its start, not the whole history's.
            lastEventId = null;
        }

        HistoryCursor? cursor;
        try
        {
            if (!hub.FollowStarted.IsCompleted)
            {
                // A node of a cluster that has not reached the shared history yet cannot promise
                // to deliver what is published after this subscriber registers.
                await hub.FollowStarted.WaitAsync(FollowStartWait, context.RequestAborted).ConfigureAwait(false);
            }

            cursor = lastEventId is null ? null : await hub.Log.FindAsync(lastEventId, context.RequestAborted).ConfigureAwait(false);
            if (streamId is not null && cursor is { Found: true } seen && await EndsStreamAsync(seen, streamId, context.RequestAborted).ConfigureAwait(false))
            {
                // The client already has the stream's final event: 204 tells an EventSource not to reconnect.
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }
        }
        catch (TimeoutException)
        {
            hub.Metrics.Refused(HubMetrics.RefusedUnavailable);
            hub.SubscriptionLog.Refused("the shared history cannot be reached yet");
            await HubResponses.UnavailableAsync(context, options.RetryAfter, "The hub cannot reach its shared history yet.").ConfigureAwait(false);
            return;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The history cannot be read (a shared store out of reach): the client retries later
            // with the same last event id and loses nothing.
            hub.Metrics.Refused(HubMetrics.RefusedUnavailable);
            hub.SubscriptionLog.Refused("the history cannot be read");
            await HubResponses.UnavailableAsync(context, options.RetryAfter, $"The history cannot be read now: {exception.Message}").ConfigureAwait(false);
            return;
        }

        var subscriber = new Subscriber(
            $"urn:uuid:{Guid.NewGuid()}",
            selectors,
            claims?.Subscribe,
            claims?.Payload,
            options.SubscriberQueueCapacity,
            DeadlineOf(claims),
            hub.Time.GetTimestamp(),
            endsWithStream: streamId is not null,
            // A token stream's reader always resumes instead: the answer is in the history, and
            // runs already keep a reader that reads at all from filling its queue.
            streamId is not null ? SlowConsumerPolicy.Disconnect : hub.SlowConsumerPolicies.For(selectors),
            hub.Metrics);

        HttpResponse response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = CacheControl;
        response.Headers["X-Accel-Buffering"] = "no";
        if (lastEventId is not null)
        {
            // The id of the event just before the first one sent, or "earliest" when there is none.
            response.Headers["Last-Event-ID"] = cursor!.Value.Found ? lastEventId : HistoryCursor.Earliest;
        }

        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        PipeWriter output = response.BodyWriter;

        // Only the client leaving cancels the opening and the replay; a close by the hub (deadline,
        // token expiry, shutdown) takes effect when the live phase starts, at once.
        CancellationToken aborted = context.RequestAborted;
        try
        {
            // A stream whose start was delivered before this registration and is not found later
            // has left the history; one that starts after it arrives live.
            TokenStreamProducer? startedEarlier = streamId is not null && streams.TryGet(streamId, out TokenStreamProducer? known) && known!.Started ? known : null;

            // Registered before the response opens: a client that sees its stream open may at once
            // cause a publish (a page posting its question), which must reach it.
            hub.Register(subscriber);
            long connectedAt = hub.Time.GetTimestamp();
            hub.SubscriptionLog.Connected(subscriber.Id, context.Request.Protocol, selectors.Length, lastEventId is not null);
            try
            {
                await subscriptions.AnnounceAsync(subscriber, active: true).ConfigureAwait(false);

                // Headers go out at once, with a comment, so the client (and any proxy) sees the
                // stream open before the first update; updates meanwhile wait in the queue.
                output.Write(":\n"u8);
                await output.FlushAsync(aborted).ConfigureAwait(false);
                bool ended = false;
                if (streamId is not null && cursor is not { Found: true })
                {
                    ended = await ReplayStreamAsync(subscriber, streamId, startedEarlier, lastEventId, output, aborted).ConfigureAwait(false);
                }
                else if (cursor is { } start)
                {
                    ended = await ReplayAsync(subscriber, lastEventId!, start, output, aborted).ConfigureAwait(false);
                }

                if (!ended)
                {
                    await subscriber.WriteLiveAsync(output, hub.Time, aborted).ConfigureAwait(false);
                }
            }
            finally
            {
                hub.Unregister(subscriber);
                subscriber.Close(SubscriberCloseReason.Ended);
                hub.SubscriptionLog.Left(subscriber.Id, subscriber.CloseReason, hub.Time.GetElapsedTime(connectedAt).TotalSeconds);
                await subscriptions.AnnounceAsync(subscriber, active: false).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client left or the hub closed the subscription: both are a normal end.
        }

        if (subscriber.CloseReason == SubscriberCloseReason.QueueOverflow)
        {
            hub.SubscriptionLog.FellBehind(subscriber.Id, options.SubscriberQueueCapacity);
            // It could not keep up; whatever Kestrel still buffers for it is dropped with it.
            context.Abort();
        }
        else if (hub.IsDraining)
        {
            // Drained: the reconnection must not come back to this node over the same connection.
            HubResponses.CloseConnectionAfterResponse(context);
        }
    }

    /// <summary>
    /// A stream read from its start (no last event id, or one the history no longer holds): its
    /// event 0 is looked up only now that live delivery is registered, so an event 0 stored
    /// meanwhile is either found by the lookup or delivered live. A stream this hub knows whose
    /// start (delivered before this subscriber registered) the history no longer holds is replayed
    /// from what is retained, after a <c>herald-reset</c>; one not started yet is waited for.
    /// </summary>
    private async Task<bool> ReplayStreamAsync(Subscriber subscriber, string streamId, TokenStreamProducer? startedEarlier, string? requested, PipeWriter output, CancellationToken cancellationToken)
    {
        string startId = TokenStreamNames.EventId(streamId, 0);
        HistoryCursor start = await hub.Log.FindAsync(startId, cancellationToken).ConfigureAwait(false);
        if (start.Found)
        {
            if (requested is not null)
            {
                WriteReset(output, requested, startId);
            }

            return await ReplayAsync(subscriber, startId, new HistoryCursor(true, start.AfterSequence - 1), output, cancellationToken).ConfigureAwait(false);
        }

        if (startedEarlier is not null)
        {
            // Ended before the replay: its end is either replayed or gone with its start, and
            // either way nothing more will come.
            bool endedBefore = startedEarlier.Completion.IsCompleted;
            return await ReplayAsync(subscriber, requested ?? startId, HistoryCursor.NotFound, output, cancellationToken).ConfigureAwait(false) || endedBefore;
        }

        if (requested is not null)
        {
            WriteReset(output, requested, null);
        }

        return false;
    }

    /// <summary>Whether the update at <paramref name="seen"/> is the final event of the stream.</summary>
    private async Task<bool> EndsStreamAsync(HistoryCursor seen, string streamId, CancellationToken cancellationToken)
    {
        if (seen.AfterSequence < 1)
        {
            return false;
        }

        IReadOnlyList<LoggedUpdate> page = await hub.Log.ReadAsync(seen.AfterSequence - 1, 1, cancellationToken).ConfigureAwait(false);
        return page.Count == 1 && page[0].Sequence == seen.AfterSequence
            && TokenStreamNames.IsEnd(page[0].Update) && page[0].Update.Topic == TokenStreamNames.TopicOf(streamId);
    }

    /// <summary>
    /// Sends the retained updates after the cursor that the subscriber selected, page by page.
    /// An unknown id is announced in-band first, because a browser cannot read response headers.
    /// Consecutive tokens of a stream go out merged into one event (the last one's id), so a late
    /// joiner gets a long answer in a few events. Returns true when the subscription's stream
    /// ended within the replay, so there is no live phase.
    /// </summary>
    private async Task<bool> ReplayAsync(Subscriber subscriber, string requested, HistoryCursor start, PipeWriter output, CancellationToken cancellationToken)
    {
        long after = start.AfterSequence;
        IReadOnlyList<LoggedUpdate> page = await hub.Log.ReadAsync(after, ReplayPageSize, cancellationToken).ConfigureAwait(false);
        if (!start.Found)
        {
            WriteReset(output, requested, page.Count > 0 ? page[0].Update.Id : null);
        }

        SseFrame? run = null;
        bool ended = false;
        int events = 0;
        while (page.Count > 0 && !ended)
        {
            foreach (LoggedUpdate logged in page)
            {
                Update update = logged.Update;
                after = logged.Sequence;
                if (!hub.Wants(subscriber, update))
                {
                    continue;
                }

                if (TokenStreamNames.IsToken(update))
                {
                    if (run is null || !run.TryAppendToRun(update, logged.Sequence))
                    {
                        run?.WriteTo(output);
                        run = SseFrame.StartRun(update, logged.Sequence);
                        events++;
                    }

                    continue;
                }

                run?.WriteTo(output);
                run = null;
                SseEncoder.WriteEvent(output, update.Data, update.Type, update.Id, update.Retry);
                events++;
                if (subscriber.EndsWithStream && TokenStreamNames.IsEnd(update))
                {
                    ended = true;
                    break;
                }
            }

            run?.WriteTo(output);
            run = null;
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (!ended)
            {
                page = await hub.Log.ReadAsync(after, ReplayPageSize, cancellationToken).ConfigureAwait(false);
            }
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        subscriber.ReplayedThrough = after;
        subscriber.MarkWritten(hub.Time.GetTimestamp());
        hub.Metrics.Replayed(events, reset: !start.Found);
        return ended;
    }

    /// <summary>
    /// The in-band gap notice: <c>event: herald-reset</c> with JSON saying why and from where the
    /// replay starts. It carries no id, so the client's last event id stays what it asked for.
    /// </summary>
    private static void WriteReset(PipeWriter output, string requested, string? firstRetainedId)
    {
        string data = JsonSerializer.Serialize(new ResetNotice(
            "unknown-last-event-id",
            requested,
            HistoryCursor.Earliest,
            firstRetainedId,
            "The requested last event id is not in the retained history (it was evicted or never existed); replaying everything retained."),
            HubJsonContext.Default.ResetNotice);
        SseEncoder.WriteEvent(output, data, "herald-reset");
    }

    /// <summary>The <c>Last-Event-ID</c> header wins over the <c>lastEventID</c> query parameter.</summary>
    private static string? LastEventIdOf(HttpRequest request)
    {
        StringValues header = request.Headers["Last-Event-ID"];
        if (!StringValues.IsNullOrEmpty(header))
        {
            return header.ToString();
        }

        StringValues query = request.Query["lastEventID"];
        return StringValues.IsNullOrEmpty(query) ? null : query.ToString();
    }

    private TopicSelector[]? SelectorsOf(StringValues topics, HeraldOptions options, out string? problem)
    {
        if (topics.Count == 0)
        {
            problem = "Missing \"topic\": subscribe with at least one topic selector (a topic, a URI template, or *).";
            return null;
        }

        if (topics.Count > options.MaxSelectorsPerSubscription)
        {
            problem = $"Too many topic selectors: {topics.Count}; this hub accepts at most {options.MaxSelectorsPerSubscription} per subscription.";
            return null;
        }

        var selectors = new TopicSelector[topics.Count];
        for (int i = 0; i < selectors.Length; i++)
        {
            string expression = topics[i] ?? string.Empty;
            if (!hub.Selectors.TryGet(expression, out TopicSelector? selector, out string? error))
            {
                problem = $"Invalid topic selector \"{expression}\": {error}";
                return null;
            }

            selectors[i] = selector!;
        }

        problem = null;
        return selectors;
    }

    /// <summary>The drawn lifetime (80% to 100% of the maximum), or the token's expiry if sooner.</summary>
    private long DeadlineOf(HubClaims? claims)
    {
        TimeProvider time = hub.Time;
        long now = time.GetTimestamp();
        long deadline = long.MaxValue;
        TimeSpan lifetime = hub.Options.MaxSubscriptionLifetime;
        if (lifetime > TimeSpan.Zero)
        {
            deadline = now + (long)(lifetime.TotalSeconds * (0.8 + (0.2 * Random.Shared.NextDouble())) * time.TimestampFrequency);
        }

        if (claims?.ExpiresAt is { } expires)
        {
            long untilExpiry = (long)Math.Max(0, (expires - time.GetUtcNow()).TotalSeconds * time.TimestampFrequency);
            deadline = Math.Min(deadline, now + untilExpiry);
        }

        return deadline;
    }
}
