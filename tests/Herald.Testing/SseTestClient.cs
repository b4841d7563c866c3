using System.Net;
using System.Threading.Channels;
using Herald.Sse;

namespace Herald.Testing;

/// <summary>
/// A subscriber for tests: a real HTTP GET to the hub, its body parsed by Herald's parser on a
/// background loop; the test awaits items with a bound.
/// </summary>
public sealed class SseTestClient : IAsyncDisposable
{
    private readonly Channel<SseItem> _items = Channel.CreateUnbounded<SseItem>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    private SseTestClient(HttpResponseMessage response)
    {
        Response = response;
        _reading = ReadAsync();
    }

    public HttpResponseMessage Response { get; }

    /// <summary>Completes when the hub ends the stream (or the connection breaks).</summary>
    public Task Ended => _reading;

    /// <summary>The reconnection time the stream set with <c>retry:</c> (a block with no data
    /// sets it without an event), once <see cref="Ended"/>; null when it never sent one.</summary>
    public long? Retry { get; private set; }

    public static async Task<SseTestClient> ConnectAsync(HttpClient client, string url, string? lastEventId = null, string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        using CancellationTokenSource bound = Bounded.Wait();
        HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, bound.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new SseTestClient(response);
    }

    /// <summary>Reads an event stream response already received (a streaming publish's control channel).</summary>
    public static SseTestClient Read(HttpResponseMessage response) => new(response);

    /// <summary>The next event (comments skipped), within the bound.</summary>
    public async Task<SseItem> NextEventAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            SseItem item = await NextItemAsync(timeout);
            if (item.IsEvent)
            {
                return item;
            }
        }
    }

    /// <summary>The next event or comment, within the bound.</summary>
    public async Task<SseItem> NextItemAsync(TimeSpan? timeout = null)
    {
        using CancellationTokenSource bound = Bounded.Wait(timeout);
        try
        {
            return await _items.Reader.ReadAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No event arrived in time.");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The stream ended before the next event.");
        }
    }

    /// <summary>The next <paramref name="count"/> events.</summary>
    public async Task<List<SseItem>> NextEventsAsync(int count, TimeSpan? timeout = null)
    {
        var events = new List<SseItem>(count);
        for (int i = 0; i < count; i++)
        {
            events.Add(await NextEventAsync(timeout));
        }

        return events;
    }

    /// <summary>Whether an event is already waiting (for asserting that nothing else arrived
    /// after a marker event that was published later).</summary>
    public bool TryTakeEvent(out SseItem item)
    {
        while (_items.Reader.TryRead(out item))
        {
            if (item.IsEvent)
            {
                return true;
            }
        }

        return false;
    }

    private async Task ReadAsync()
    {
        using var parser = new SseParser();
        try
        {
            Stream body = await Response.Content.ReadAsStreamAsync(_stop.Token);
            await foreach (SseItem item in parser.ReadAsync(body, _stop.Token))
            {
                _items.Writer.TryWrite(item);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or HttpRequestException)
        {
            // The test closed it, or the hub dropped the connection: both end the stream.
        }
        finally
        {
            Retry = parser.Retry;
            _items.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Response.Dispose();
        await _reading;
        _stop.Dispose();
    }
}
