using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Herald.Testing;

/// <summary>
/// A stand-in for an LLM API on real Kestrel at 127.0.0.1: <c>/{name}</c> (any method) answers
/// with the recorded stream <c>Fixtures/{name}.sse</c> (or one a test added) as
/// <c>text/event-stream</c>, written a few bytes at a time with a flush after each, so that
/// lines, JSON and UTF-8 sequences arrive split. The query can cut the stream short after its
/// first K events: <c>?hold=K</c> then holds the response open until the client goes (the way to
/// see a client abort a generation) or the test breaks it (<see cref="UpstreamRequest.Break"/>),
/// <c>?end=K</c> ends the response cleanly. <c>?status=N</c> answers N with a JSON error body instead. Every request
/// is recorded, with whether the client dropped it.
/// </summary>
public sealed class UpstreamFixtureServer : IAsyncDisposable
{
    /// <summary>Where the recorded streams are copied next to the test binary.</summary>
    public static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "Streams", "Relay", "Fixtures");

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, byte[]> _streams = new(StringComparer.Ordinal);
    private readonly Channel<UpstreamRequest> _arrivals = Channel.CreateUnbounded<UpstreamRequest>();
    private readonly int _chunkSize;
    private int _count;

    private UpstreamFixtureServer(WebApplication app, int chunkSize)
    {
        _app = app;
        _chunkSize = chunkSize;
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>How many requests arrived.</summary>
    public int RequestCount => Volatile.Read(ref _count);

    /// <summary>Starts the server; <paramref name="chunkSize"/> is how many bytes each write carries.</summary>
    public static async Task<UpstreamFixtureServer> StartAsync(int chunkSize = 7)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        WebApplication app = LoopbackApp.CreateStreamingBuilder().Build();
        var server = new UpstreamFixtureServer(app, chunkSize);
        app.Run(server.HandleAsync);
        server.BaseAddress = await LoopbackApp.StartAsync(app);
        return server;
    }

    /// <summary>The text of a recorded fixture.</summary>
    public static string ReadFixture(string name) => File.ReadAllText(FixturePath(name), Encoding.UTF8);

    /// <summary>Adds a stream written by the test, served at <c>/{name}</c>.</summary>
    public void Add(string name, string stream) => _streams[name] = Encoding.UTF8.GetBytes(stream);

    /// <summary>The URL that serves <paramref name="name"/> (with <paramref name="query"/>, such as <c>hold=3</c>).</summary>
    public Uri Url(string name, string? query = null) => new(BaseAddress, "/" + name + (query is null ? string.Empty : "?" + query));

    /// <summary>The next request to arrive (or the oldest not yet taken), within the bound.</summary>
    public async Task<UpstreamRequest> NextRequestAsync()
    {
        using CancellationTokenSource bound = Bounded.Wait();
        try
        {
            return await _arrivals.Reader.ReadAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No request arrived in time; {RequestCount} so far.");
        }
    }

    private static string FixturePath(string name) => Path.Combine(FixtureDirectory, name + ".sse");

    private byte[]? Stream(string name)
    {
        if (_streams.TryGetValue(name, out byte[]? stream))
        {
            return stream;
        }

        string path = FixturePath(name);
        return File.Exists(path) ? _streams.GetOrAdd(name, File.ReadAllBytes(path)) : null;
    }

    private async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var recorded = new UpstreamRequest(
            Interlocked.Increment(ref _count),
            request.Method,
            request.Path + request.QueryString,
            request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Encoding.UTF8.GetString(body.ToArray()),
            context);
        _arrivals.Writer.TryWrite(recorded);
        try
        {
            await AnswerAsync(context);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            // The client dropped the connection while the stream was written: its right, recorded.
        }
        finally
        {
            recorded.Finish();
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        HttpResponse response = context.Response;
        CancellationToken gone = context.RequestAborted;
        if (context.Request.Query.ContainsKey("status"))
        {
            response.StatusCode = Number(context.Request, "status")!.Value;
            response.ContentType = "application/json";
            await response.WriteAsync("{\"error\":{\"type\":\"fixture_error\",\"message\":\"refused by the fixture server\"}}", gone);
            return;
        }

        byte[]? stream = Stream(context.Request.Path.Value!.TrimStart('/'));
        if (stream is null)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        int? hold = Number(context.Request, "hold");
        int? end = hold ?? Number(context.Request, "end");
        int length = end is { } count ? EndOfEvents(stream, count) : stream.Length;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        await response.Body.FlushAsync(gone);
        for (int offset = 0; offset < length; offset += _chunkSize)
        {
            await response.Body.WriteAsync(stream.AsMemory(offset, Math.Min(_chunkSize, length - offset)), gone);
            await response.Body.FlushAsync(gone);
        }

        if (hold is not null)
        {
            // Held until the client goes (what the test waits to see) or the bound passes.
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(gone, _app.Lifetime.ApplicationStopping);
            bound.CancelAfter(TimeSpan.FromSeconds(30));
            await Task.Delay(Timeout.Infinite, bound.Token).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    private static int? Number(HttpRequest request, string name) =>
        request.Query[name] is { Count: > 0 } values ? int.Parse(values[0]!, System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>The byte offset just after the <paramref name="count"/>-th event (its blank line), LF-only fixtures.</summary>
    private static int EndOfEvents(byte[] stream, int count)
    {
        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            int end = stream.AsSpan(offset).IndexOf("\n\n"u8);
            if (end < 0)
            {
                return stream.Length;
            }

            offset += end + 2;
        }

        return offset;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
