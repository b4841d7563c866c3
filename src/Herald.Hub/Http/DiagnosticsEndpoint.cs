using System.Globalization;
using Herald.Hub.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Herald.Hub.Http;

/// <summary>
/// GET <see cref="HeraldDiagnostics.DefaultPath"/>: the delivery-path diagnostics stream
/// (<see cref="DiagnosticsScript"/>), with the same response headers a subscription gets, so
/// whatever a proxy does to subscriptions it does to this too. Anonymous, since it carries no
/// data; at most <see cref="HeraldOptions.MaxDiagnosticsStreams"/> run at once (429 past it), and
/// 404 when that is 0.
/// </summary>
internal sealed class DiagnosticsEndpoint(HeraldHub hub, CancellationToken hubStopping)
{
    /// <summary>Request headers a proxy adds when it forwards a request.</summary>
    private static readonly string[] ForwardingHeaders = ["Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Real-IP", "Via"];

    private int _running;

    public async Task HandleAsync(HttpContext context)
    {
        HeraldOptions options = hub.Options;
        HubCors.Apply(context, options);
        if (options.MaxDiagnosticsStreams <= 0)
        {
            await HubResponses.ErrorAsync(context, StatusCodes.Status404NotFound, "Delivery-path diagnostics are turned off on this hub (MaxDiagnosticsStreams is 0).").ConfigureAwait(false);
            return;
        }

        if (IdleSecondsOf(context.Request) is not { } idleSeconds)
        {
            await HubResponses.ErrorAsync(context, StatusCodes.Status400BadRequest, $"'{HeraldDiagnostics.IdleParameter}' is the idle gap in whole seconds, 0 to {HeraldDiagnostics.MaxIdleSeconds}.").ConfigureAwait(false);
            return;
        }

        if (Interlocked.Increment(ref _running) > options.MaxDiagnosticsStreams)
        {
            Interlocked.Decrement(ref _running);
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(options.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await HubResponses.ErrorAsync(context, StatusCodes.Status429TooManyRequests, "Too many diagnostics streams are running on this hub; retry later.").ConfigureAwait(false);
            return;
        }

        try
        {
            HttpResponse response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = SubscribeEndpoint.CacheControl;
            response.Headers["X-Accel-Buffering"] = "no";
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

            bool forwarded = ForwardingHeaders.Any(name => context.Request.Headers.ContainsKey(name));
            var script = new DiagnosticsScript(hub.Time, idleSeconds, context.Request.Protocol, forwarded);
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, hubStopping);
            await script.RunAsync(response.BodyWriter, ended.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || hubStopping.IsCancellationRequested)
        {
            // The client left, or the hub is stopping: either ends the script.
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    /// <summary>The idle gap the request asks for, the default when it names none, or null when
    /// the value is not a whole number of seconds within bounds.</summary>
    private static int? IdleSecondsOf(HttpRequest request)
    {
        string? text = request.Query[HeraldDiagnostics.IdleParameter];
        if (text is null)
        {
            return HeraldDiagnostics.DefaultIdleSeconds;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds <= HeraldDiagnostics.MaxIdleSeconds
            ? seconds
            : null;
    }
}
