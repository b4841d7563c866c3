// The reference a .NET developer writes in an afternoon, for `bench/compare.sh` to measure Herald
// against: a bounded channel per subscriber, SseFormatter to write, a dictionary to broadcast.
// Deliberately plain: no history, no authorization, no heartbeats, no pooling.
//
//   dotnet run -c Release --project bench/Herald.Baseline -- --urls http://127.0.0.1:8081
//   GET  /subscribe?topic=T          text/event-stream of the updates published to T
//   POST /publish  (form: topic, data; or ?topic=T with the data as the raw body)  -> the id
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Threading.Channels;

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
WebApplication app = builder.Build();

var subscribers = new ConcurrentDictionary<Channel<SseItem<string>>, string>();
long nextId = 0;

app.MapGet("/subscribe", async (HttpContext context, string topic) =>
{
    // Bounded so a stalled client cannot grow memory; the oldest update is dropped when full.
    var channel = Channel.CreateBounded<SseItem<string>>(new BoundedChannelOptions(1_000)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });
    subscribers[channel] = topic;
    try
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.FlushAsync(context.RequestAborted);
        await SseFormatter.WriteAsync(channel.Reader.ReadAllAsync(context.RequestAborted), context.Response.Body, context.RequestAborted);
    }
    catch (OperationCanceledException)
    {
        // The client went away.
    }
    finally
    {
        subscribers.TryRemove(channel, out _);
    }
});

app.MapPost("/publish", async (HttpContext context) =>
{
    string? topic;
    string data;
    if (context.Request.HasFormContentType)
    {
        IFormCollection form = await context.Request.ReadFormAsync(context.RequestAborted);
        topic = form["topic"];
        data = form["data"].ToString();
    }
    else
    {
        topic = context.Request.Query["topic"];
        using var reader = new StreamReader(context.Request.Body);
        data = await reader.ReadToEndAsync(context.RequestAborted);
    }

    if (string.IsNullOrEmpty(topic))
    {
        return Results.Text("missing topic", statusCode: StatusCodes.Status400BadRequest);
    }

    string id = Interlocked.Increment(ref nextId).ToString(CultureInfo.InvariantCulture);
    var item = new SseItem<string>(data) { EventId = id };
    foreach ((Channel<SseItem<string>> channel, string subscribed) in subscribers)
    {
        if (subscribed == topic)
        {
            channel.Writer.TryWrite(item);
        }
    }

    return Results.Text(id);
});

app.Run();
