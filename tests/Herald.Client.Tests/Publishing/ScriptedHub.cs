using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Herald.Client.Tests.Publishing;

/// <summary>
/// A stand-in hub on real Kestrel at 127.0.0.1 whose answers a test scripts attempt by attempt
/// (a 503, a dropped connection, then a 200), recording every request that reached it.
/// </summary>
internal sealed class ScriptedHub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedPublish> _requests;

    private ScriptedHub(WebApplication app, ConcurrentQueue<RecordedPublish> requests, Uri url)
    {
        _app = app;
        _requests = requests;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>Every request that reached the hub, in arrival order.</summary>
    public IReadOnlyList<RecordedPublish> Requests => [.. _requests];

    public int Count => _requests.Count;

    /// <summary>Starts the hub; <paramref name="script"/> answers the <c>n</c>th request (from 1).</summary>
    public static async Task<ScriptedHub> StartAsync(Func<int, HttpContext, Task> script)
    {
        WebApplication app = LoopbackApp.CreateBuilder().Build();
        var requests = new ConcurrentQueue<RecordedPublish>();
        int count = 0;
        app.MapPost("/.well-known/mercure", async (HttpContext context) =>
        {
            IFormCollection form = await context.Request.ReadFormAsync(context.RequestAborted);
            requests.Enqueue(new RecordedPublish(
                form.ToDictionary(field => field.Key, field => field.Value.Select(value => value ?? string.Empty).ToArray()),
                context.Request.Headers.Authorization.ToString(),
                context.Request.ContentType));
            await script(Interlocked.Increment(ref count), context);
        });
        return new ScriptedHub(app, requests, new Uri(await LoopbackApp.StartAsync(app), "/.well-known/mercure"));
    }

    /// <summary>Answers as a hub that stored the update: 200 with its id, or a made-up one.</summary>
    public static Task Accept(HttpContext context)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        StringValues id = context.Request.Form["id"];
        return context.Response.WriteAsync(StringValues.IsNullOrEmpty(id) ? "urn:uuid:scripted" : id.ToString(), context.RequestAborted);
    }

    /// <summary>Answers an error with a message, and a <c>Retry-After</c> if given.</summary>
    public static Task Answer(HttpContext context, int status, string message, string? retryAfter = null)
    {
        context.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }

    /// <summary>Drops the connection after the request arrived: the client cannot know whether it was stored.</summary>
    public static Task Drop(HttpContext context)
    {
        context.Abort();
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
