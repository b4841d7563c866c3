using System.Net;
using Herald.Sse;
using Herald.Testing;

namespace Herald.Server.Tests.Commands;

/// <summary>
/// A subscriber of a hub cluster that behaves as an <c>EventSource</c> behind a load balancer: it
/// reads one node's stream over HTTP/1.1 and, when that stream ends (its node died), connects to
/// its fallback node with the last event id it received. It records every event and how many
/// connections it took; tests await what it received, each wait bounded.
/// </summary>
internal sealed class ClusterSubscriber : IAsyncDisposable
{
    /// <summary>More connections than this is a reconnect loop, not a failover: the reader fails.</summary>
    private const int MaxConnections = 3;

    private readonly HttpClient _client;
    private readonly string _fallbackUrl;
    private readonly string _token;
    private readonly List<SseItem> _events = [];
    private readonly List<Waiter> _waiters = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _reading = Task.CompletedTask;
    private Exception? _failure;
    private string? _lastEventId;
    private int _connections;

    private ClusterSubscriber(HttpClient client, string fallbackUrl, string token)
    {
        _client = client;
        _fallbackUrl = fallbackUrl;
        _token = token;
    }

    /// <summary>How many times it connected (1 when its first stream never ended).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The events received so far, across its connections.</summary>
    public IReadOnlyList<SseItem> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Subscribes at <paramref name="url"/> and returns once the hub answered 200 (the hub
    /// registers a subscriber before its response opens, so from then on it receives live
    /// updates); <paramref name="fallbackUrl"/> is where it reconnects if the stream ends.</summary>
    public static async Task<ClusterSubscriber> ConnectAsync(HttpClient client, string url, string fallbackUrl, string token, string? lastEventId = null)
    {
        var subscriber = new ClusterSubscriber(client, fallbackUrl, token) { _lastEventId = lastEventId };
        HttpResponseMessage first = await subscriber.OpenAsync(url);
        subscriber._reading = subscriber.ReadAsync(first);
        return subscriber;
    }

    /// <summary>Completes when it has received <paramref name="count"/> events.</summary>
    public Task ReceivedCountAsync(int count, TimeSpan timeout) =>
        WhenAsync((_, received) => received >= count, $"{count} events", timeout);

    /// <summary>Completes when it has received the event with id <paramref name="id"/>.</summary>
    public Task ReceivedIdAsync(string id, TimeSpan timeout) =>
        WhenAsync((item, _) => item.LastEventId == id, $"the event {id}", timeout);

    private async Task WhenAsync(Func<SseItem, int, bool> reached, string what, TimeSpan timeout)
    {
        Task done;
        lock (_events)
        {
            for (int i = 0; i < _events.Count; i++)
            {
                if (reached(_events[i], i + 1))
                {
                    return;
                }
            }

            if (_failure is not null)
            {
                throw new InvalidOperationException($"The subscriber failed before {what}.", _failure);
            }

            var waiter = new Waiter(reached, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            _waiters.Add(waiter);
            done = waiter.Done.Task;
        }

        try
        {
            await done.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No {what} within {timeout}: {Events.Count} events received over {Connections} connections, the last {_lastEventId ?? "none"}.");
        }
    }

    private async Task<HttpResponseMessage> OpenAsync(string url)
    {
        Interlocked.Increment(ref _connections);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Authorization = new("Bearer", _token);
        if (_lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", _lastEventId);
        }

        using CancellationTokenSource bound = Bounded.Wait();
        HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, bound.Token);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            string body = await response.Content.ReadAsStringAsync(bound.Token);
            response.Dispose();
            throw new InvalidOperationException($"{url} answered {(int)response.StatusCode} to a subscriber (Last-Event-ID {_lastEventId ?? "none"}): {body}");
        }

        return response;
    }

    private async Task ReadAsync(HttpResponseMessage response)
    {
        CancellationToken stop = _stop.Token;
        try
        {
            while (true)
            {
                try
                {
                    using (response)
                    using (var parser = new SseParser())
                    {
                        Stream body = await response.Content.ReadAsStreamAsync(stop);
                        await foreach (SseItem item in parser.ReadAsync(body, stop))
                        {
                            if (item.IsEvent)
                            {
                                Received(item);
                            }
                        }
                    }
                }
                catch (Exception exception) when (exception is IOException or HttpRequestException && !stop.IsCancellationRequested)
                {
                    // The node went away mid-stream (a killed process ends the chunked body early).
                }

                if (stop.IsCancellationRequested)
                {
                    return;
                }

                if (Connections >= MaxConnections)
                {
                    throw new InvalidOperationException($"The stream ended {Connections} times.");
                }

                response = await OpenAsync(_fallbackUrl);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // Whatever ends the reader is reported to every wait, so the test fails with it.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            lock (_events)
            {
                _failure = exception;
                foreach (Waiter waiter in _waiters)
                {
                    waiter.Done.TrySetException(exception);
                }

                _waiters.Clear();
            }
        }
    }

    private void Received(SseItem item)
    {
        lock (_events)
        {
            _events.Add(item);
            _lastEventId = item.LastEventId;
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Reached(item, _events.Count))
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        _stop.Dispose();
    }

    private sealed record Waiter(Func<SseItem, int, bool> Reached, TaskCompletionSource Done);
}
