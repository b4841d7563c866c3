using System.Net.Sockets;
using System.Text;
using Herald.Hub.Delivery;
using Herald.Sse;
using Herald.Testing;

namespace Herald.Hub.Tests.Delivery;

/// <summary>
/// A subscriber on a raw socket with a small receive buffer that reads nothing until told to: its
/// receive window fills, then Kestrel's buffers, then its queue in the hub. It speaks HTTP/1.0, so
/// the body is the event stream itself (no chunked framing) until the hub closes the connection.
/// </summary>
internal sealed class StalledSubscriber : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly SseParser _parser = new();
    private readonly CancellationTokenSource _stop = new();
    private IAsyncEnumerator<SseItem>? _items;

    private StalledSubscriber(Socket socket, Subscriber hubSide)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        HubSide = hubSide;
    }

    /// <summary>The hub's side of the subscription.</summary>
    public Subscriber HubSide { get; }

    /// <summary>Subscribes to <paramref name="selectors"/> and waits until the hub has registered it.</summary>
    public static async Task<StalledSubscriber> ConnectAsync(HubHost host, params string[] selectors)
    {
        HashSet<Subscriber> before = [.. host.Hub.Subscribers];
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(host.BaseAddress.Host, host.BaseAddress.Port);
        string target = new Uri(host.SubscribeUrl(selectors)).PathAndQuery;
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.0\r\nHost: {host.BaseAddress.Authority}\r\n\r\n"));
        Subscriber? hubSide = null;
        await Bounded.UntilAsync(() => (hubSide = host.Hub.Subscribers.FirstOrDefault(s => !before.Contains(s))) is not null, "the stalled subscriber is registered");
        return new StalledSubscriber(socket, hubSide!);
    }

    /// <summary>Starts (or goes on) reading: the next event, comments skipped; null when the
    /// stream ended or the connection broke.</summary>
    public async Task<SseItem?> NextEventAsync()
    {
        using CancellationTokenSource bound = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        bound.CancelAfter(Bounded.DefaultWait);
        try
        {
            if (_items is null)
            {
                await SkipResponseHeadAsync(bound.Token);
                _items = _parser.ReadAsync(_stream, _stop.Token).GetAsyncEnumerator(_stop.Token);
            }

            while (await _items.MoveNextAsync().AsTask().WaitAsync(bound.Token))
            {
                if (_items.Current.IsEvent)
                {
                    return _items.Current;
                }
            }

            return null;
        }
        catch (Exception exception) when (exception is IOException or SocketException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            throw new TimeoutException("No event arrived in time.");
        }
    }

    /// <summary>Reads events until one with <paramref name="id"/>, returning every event read (that one included).</summary>
    public async Task<List<SseItem>> ReadThroughAsync(string id)
    {
        var events = new List<SseItem>();
        while (await NextEventAsync() is { } item)
        {
            events.Add(item);
            if (item.IsEvent && item.Type != "herald-reset" && item.LastEventId == id)
            {
                return events;
            }
        }

        throw new InvalidOperationException($"The stream ended before the event {id}; read {events.Count} events.");
    }

    private async Task SkipResponseHeadAsync(CancellationToken cancellationToken)
    {
        // Byte by byte up to the blank line, so none of the body is consumed here.
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await _stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException("The connection closed before the response head ended.");
            }

            head.Append((char)one[0]);
        }

        Assert.StartsWith("HTTP/1.1 200", head.ToString(), StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_items is not null)
        {
            try
            {
                await _items.DisposeAsync();
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException)
            {
                // Ending a read that was cut short.
            }
        }

        await _stream.DisposeAsync();
        _socket.Dispose();
        _parser.Dispose();
        _stop.Dispose();
    }
}
