using System.Text;
using Microsoft.AspNetCore.Http;

namespace Herald.Client.Tests.Scripted;

/// <summary>
/// One request being answered by a script: write bytes with a flush after each write, hold the
/// response open, end it, or break the connection.
/// </summary>
public sealed class ScriptedExchange
{
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _gone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ScriptedServer _server;
    private readonly CancellationToken _serverStopping;

    internal ScriptedExchange(HttpContext context, RecordedRequest request, ScriptedServer server, CancellationToken serverStopping)
    {
        Context = context;
        Request = request;
        _server = server;
        _serverStopping = serverStopping;
        ClientGone = context.RequestAborted;
        // Recorded as it happens: the context is recycled once the response ends.
        ClientGone.Register(static state => ((TaskCompletionSource)state!).TrySetResult(), _gone);
    }

    public HttpContext Context { get; }

    public RecordedRequest Request { get; }

    public HttpResponse Response => Context.Response;

    /// <summary>Cancelled when the client drops the connection.</summary>
    public CancellationToken ClientGone { get; }

    /// <summary>Completes when the client has dropped the connection.</summary>
    public Task Gone => _gone.Task;

    /// <summary>
    /// Starts an event stream and hands this exchange to the test (<see cref="ScriptedServer.NextExchangeAsync"/>),
    /// holding the response open until the test ends it or the client goes.
    /// </summary>
    public Task OfferAsync() => _server.OfferAsync(this);

    /// <summary>Sends 200 with the given content type and flushes the headers.</summary>
    public async Task StartEventStreamAsync(string contentType = "text/event-stream")
    {
        Response.StatusCode = StatusCodes.Status200OK;
        Response.ContentType = contentType;
        Response.Headers.CacheControl = "no-cache";
        await Response.Body.FlushAsync(ClientGone);
    }

    /// <summary>Sends 200 with an event stream whose first bytes leave in the same flush as the headers.</summary>
    public Task StartEventStreamAsync(ReadOnlyMemory<byte> first)
    {
        Response.StatusCode = StatusCodes.Status200OK;
        Response.ContentType = "text/event-stream";
        Response.Headers.CacheControl = "no-cache";
        return SendAsync(first);
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 in one write and flushes it.</summary>
    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>Writes the bytes in one write and flushes them.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await Response.Body.WriteAsync(bytes, ClientGone);
        await Response.Body.FlushAsync(ClientGone);
    }

    /// <summary>Writes the bytes one at a time, flushing after each.</summary>
    public async Task SendBytewiseAsync(ReadOnlyMemory<byte> bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            await SendAsync(bytes.Slice(i, 1));
        }
    }

    /// <summary>
    /// Keeps the response open until the client goes, <see cref="End"/> is called, or the server
    /// stops; bounded, so a forgotten stream cannot hang the run.
    /// </summary>
    public async Task HoldOpenAsync()
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ClientGone, _serverStopping);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await _ended.Task.WaitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            // The client went away or the server is stopping: the exchange is over either way.
        }
    }

    /// <summary>Lets <see cref="HoldOpenAsync"/> return: the response then ends cleanly.</summary>
    public void End() => _ended.TrySetResult();

    /// <summary>Breaks the connection: no clean end of the response.</summary>
    public void Abort() => Context.Abort();
}
