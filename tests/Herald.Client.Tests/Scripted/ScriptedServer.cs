using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Herald.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Herald.Client.Tests.Scripted;

/// <summary>
/// Real Kestrel on a free port of 127.0.0.1 that answers every request with a script, records
/// each request (method, path, headers, body) in arrival order, and can hand live exchanges to
/// the test so that it writes the stream step by step.
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<ScriptedExchange, Task> _script;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly Channel<RecordedRequest> _arrivals = Channel.CreateUnbounded<RecordedRequest>();
    private readonly Channel<ScriptedExchange> _offered = Channel.CreateUnbounded<ScriptedExchange>();
    private int _count;

    private ScriptedServer(WebApplication app, Func<ScriptedExchange, Task> script)
    {
        _app = app;
        _script = script;
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>How many requests have arrived so far.</summary>
    public int RequestCount => Volatile.Read(ref _count);

    /// <summary>The requests so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests.OrderBy(request => request.Number)];

    /// <summary>Starts a server whose every request runs <paramref name="script"/>.</summary>
    public static async Task<ScriptedServer> StartAsync(Func<ScriptedExchange, Task> script)
    {
        WebApplicationBuilder builder = LoopbackApp.CreateStreamingBuilder();
        // Latin-1 maps each byte to one char, so tests can see the exact bytes a client sent.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.RequestHeaderEncodingSelector = static _ => Encoding.Latin1);
        WebApplication app = builder.Build();
        var server = new ScriptedServer(app, script);
        app.Run(server.HandleAsync);
        server.BaseAddress = await LoopbackApp.StartAsync(app);
        return server;
    }

    /// <summary>A server that offers every request to the test as a live event stream (see <see cref="NextExchangeAsync"/>).</summary>
    public static Task<ScriptedServer> StartLiveAsync() => StartAsync(static exchange => exchange.OfferAsync());

    /// <summary>
    /// A server whose n-th request gets the n-th of <paramref name="streams"/> as an event stream
    /// that then ends cleanly; requests past the last are offered live (see <see cref="NextExchangeAsync"/>).
    /// </summary>
    public static Task<ScriptedServer> StartSequenceAsync(params string[] streams) => StartAsync(async exchange =>
    {
        if (exchange.Request.Number > streams.Length)
        {
            await exchange.OfferAsync();
            return;
        }

        await exchange.StartEventStreamAsync();
        await exchange.SendAsync(streams[exchange.Request.Number - 1]);
    });

    public Uri Url(string pathAndQuery = "/stream") => new(BaseAddress, pathAndQuery);

    /// <summary>The next request to arrive (or the oldest not yet taken), within the bound.</summary>
    public async Task<RecordedRequest> NextRequestAsync(TimeSpan? timeout = null)
    {
        using CancellationTokenSource bound = Bounded.Wait(timeout);
        try
        {
            return await _arrivals.Reader.ReadAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No request arrived in time; {RequestCount} so far.");
        }
    }

    /// <summary>The next live exchange a script offered, within the bound.</summary>
    public async Task<ScriptedExchange> NextExchangeAsync(TimeSpan? timeout = null)
    {
        using CancellationTokenSource bound = Bounded.Wait(timeout);
        try
        {
            return await _offered.Reader.ReadAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No connection arrived in time; {RequestCount} requests so far.");
        }
    }

    internal async Task OfferAsync(ScriptedExchange exchange)
    {
        await exchange.StartEventStreamAsync();
        _offered.Writer.TryWrite(exchange);
        await exchange.HoldOpenAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var headers = request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var recorded = new RecordedRequest(
            Interlocked.Increment(ref _count), request.Method, request.Path + request.QueryString, headers, body.ToArray());
        _requests.Enqueue(recorded);
        _arrivals.Writer.TryWrite(recorded);
        var exchange = new ScriptedExchange(context, recorded, this, _app.Lifetime.ApplicationStopping);
        try
        {
            await _script(exchange);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            // The client dropped the connection while the script wrote: that is the client's right.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
