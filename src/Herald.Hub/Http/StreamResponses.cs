using System.Buffers;
using System.IO.Pipelines;
using Herald.Hub.Streams;
using Herald.Sse;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Herald.Hub.Http;

/// <summary>What the token stream endpoints answer, in one place.</summary>
internal static class StreamResponses
{
    public static Task InvalidIdAsync(HttpContext context) =>
        HubResponses.ErrorAsync(context, StatusCodes.Status400BadRequest, "A stream id is 1 to 128 characters of A-Z, a-z, 0-9, '-', '_', '.' and '~'.");

    /// <summary>Starts an event stream response (the producer's control channel), unbuffered.</summary>
    public static PipeWriter StartEventStream(HttpContext context)
    {
        HttpResponse response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return response.BodyWriter;
    }

    /// <summary>Writes one notice event and flushes it; a producer that has gone is no error here.</summary>
    public static async Task WriteNoticeAsync(PipeWriter output, string type, TokenStreamNotice notice)
    {
        SseEncoder.WriteEvent(output, notice.ToJson(), type);
        try
        {
            await output.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or OperationCanceledException)
        {
        }
    }
}
