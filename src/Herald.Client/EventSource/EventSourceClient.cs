using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text;
using Herald.Sse;

namespace Herald.Client;

/// <summary>
/// A reconnecting Server-Sent Events client, as a browser's <c>EventSource</c> but over
/// <see cref="HttpClient"/>: enumerate <see cref="ReadAllAsync"/> to receive events, and the
/// client reconnects by itself, resuming with <c>Last-Event-ID</c>.
/// </summary>
/// <remarks>
/// <para>
/// The connection runs inside the enumeration, so events arrive as fast as the caller takes
/// them and nothing is buffered behind a slow consumer. <see cref="Opened"/> and
/// <see cref="Error"/> are raised on the enumerating flow, in order with the events; an
/// exception thrown by a handler ends the enumeration.
/// </para>
/// <para>
/// When a connection ends or breaks, the client waits and reconnects (see
/// <see cref="EventSourceOptions.ReconnectionTime"/>), sending the last event ID string of the
/// events dispatched so far. It stops for good on an HTTP 204 (the enumeration ends), when the
/// caller cancels or calls <see cref="Close"/> (the enumeration ends quietly), and on a response
/// that is not an event stream (<see cref="EventSourceResponseException"/>) or an event larger
/// than <see cref="EventSourceOptions.MaxEventSize"/> (<see cref="SseEventTooLargeException"/>),
/// which the enumeration throws. With <see cref="EventSourceOptions.Reconnect"/> off there is one
/// connection: its end ends the enumeration, and what would be retried is thrown instead. A
/// source is enumerated once; after that it is closed.
/// </para>
/// <para><see cref="Restart"/>, <see cref="Close"/> and the properties are safe to call from any thread.</para>
/// </remarks>
public sealed class EventSourceClient : IAsyncDisposable, IDisposable
{
    /// <summary>The longest delay a timer takes (about 49 days): a <c>retry:</c> or <c>Retry-After</c> beyond it waits this long.</summary>
    private static readonly TimeSpan LongestDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly EventSourceOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly bool _reconnect;
    private readonly EventStreamConnector _connector;
    private readonly ReconnectBackoff _backoff;
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _gate = new();

    // Guarded by _gate: the current attempt (cancelled by Restart), a Restart that came between
    // attempts, and the life of the source.
    private CancellationTokenSource? _attempt;
    private bool _restartRequested;
    private bool _enumerating;
    private bool _ended;
    private bool _disposed;

    private volatile string _lastEventId;
    private int _state;
    private long _reconnectionTicks;

    /// <summary>Creates a client for <paramref name="url"/> with the default options.</summary>
    /// <param name="url">The absolute <c>http</c> or <c>https</c> URL of the event stream.</param>
    public EventSourceClient(Uri url)
        : this(new EventSourceOptions { Url = url })
    {
    }

    /// <summary>Creates a client; nothing is sent until <see cref="ReadAllAsync"/> is enumerated.</summary>
    /// <param name="options">The request and the reconnection settings.</param>
    /// <exception cref="ArgumentException">The URL is not absolute HTTP(S), the last event ID
    /// contains CR, LF or NUL, or the headers set <c>Last-Event-ID</c>.</exception>
    public EventSourceClient(EventSourceOptions options)
        : this(options, options?.Reconnect ?? true)
    {
    }

    /// <summary>
    /// Creates a client whose reconnection is decided here, not by the options: the relay passes
    /// options it was given and must never send their request twice, whatever they say.
    /// </summary>
    internal EventSourceClient(EventSourceOptions options, bool reconnect)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Url);
        ArgumentNullException.ThrowIfNull(options.Method);
        if (!options.Url.IsAbsoluteUri || (options.Url.Scheme != Uri.UriSchemeHttp && options.Url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The event stream URL must be an absolute http or https URL; '{options.Url}' is not.", nameof(options));
        }

        if (SseEncoder.DescribeInvalidField(options.LastEventId, "id") is { } invalid)
        {
            throw new ArgumentException(invalid, nameof(options));
        }

        if (options.Headers.ContainsKey("Last-Event-ID"))
        {
            throw new ArgumentException("Set the initial Last-Event-ID with EventSourceOptions.LastEventId: the client sends the header itself.", nameof(options));
        }

        _options = options;
        _reconnect = reconnect;
        _ownsHttp = options.HttpClient is null;
        _http = options.HttpClient ?? new HttpClient(CreateHttpHandler(), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _connector = new EventStreamConnector(_http, options);
        _backoff = new ReconnectBackoff(options.MaxReconnectionDelay, Random.Shared);
        _lastEventId = options.LastEventId ?? string.Empty;
        _reconnectionTicks = options.ReconnectionTime.Ticks;
    }

    /// <summary>Raised when a connection opens: a <c>200 text/event-stream</c> response arrived.</summary>
    public event EventHandler<EventSourceOpenedEventArgs>? Opened;

    /// <summary>
    /// Raised when a connection ends or an attempt fails and the client will reconnect; the
    /// arguments say why and after what delay. Not raised for <see cref="Restart"/>, nor for
    /// what ends the source (those end or fail the enumeration).
    /// </summary>
    public event EventHandler<EventSourceErrorEventArgs>? Error;

    /// <summary>Where the source is: connecting (or waiting to reconnect), open, or closed.</summary>
    public EventSourceState State => (EventSourceState)Volatile.Read(ref _state);

    /// <summary>The URL of the event stream; every reconnection starts there again, redirects or not.</summary>
    public Uri Url => _options.Url;

    /// <summary>
    /// The last event ID string: the one the next reconnection sends as <c>Last-Event-ID</c>
    /// (none when empty). Save it to resume in a later session with <see cref="EventSourceOptions.LastEventId"/>.
    /// </summary>
    public string LastEventId => _lastEventId;

    /// <summary>The current reconnection time: <see cref="EventSourceOptions.ReconnectionTime"/> until the server sends <c>retry:</c>.</summary>
    public TimeSpan ReconnectionTime => TimeSpan.FromTicks(Interlocked.Read(ref _reconnectionTicks));

    /// <summary>
    /// Creates the handler this client uses when it makes its own <see cref="HttpClient"/>: it
    /// sends header values as UTF-8 (a last event ID may be any text), leaves redirects to the
    /// client, gives up a TCP connect after 30 seconds, and closes a dropped stream's connection
    /// rather than draining it. Build a client of your own on it to add a proxy or certificates.
    /// </summary>
    /// <returns>A new handler; the <see cref="HttpClient"/> built on it owns it.</returns>
    public static SocketsHttpHandler CreateHttpHandler() => new()
    {
        AllowAutoRedirect = false,
        RequestHeaderEncodingSelector = static (_, _) => Encoding.UTF8,
        ConnectTimeout = TimeSpan.FromSeconds(30),
        MaxResponseDrainSize = 0,
    };

    /// <summary>
    /// Connects, and yields the events (and, if asked, the comments) of this and every later
    /// connection until the source closes.
    /// </summary>
    /// <param name="cancellationToken">Stops reading: the enumeration then ends quietly, with no exception.</param>
    /// <returns>The events in stream order.</returns>
    /// <exception cref="EventSourceResponseException">A response was not an event stream (thrown by the enumeration).</exception>
    /// <exception cref="SseEventTooLargeException">An event outgrew the size limit (thrown by the enumeration).</exception>
    /// <exception cref="InvalidOperationException">The source is already being enumerated.</exception>
    /// <exception cref="ObjectDisposedException">The source was disposed.</exception>
    public IAsyncEnumerable<SseEvent> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ReadIteratorAsync(cancellationToken);
    }

    /// <summary>
    /// Drops the current connection and reconnects at once (also cutting a reconnection delay
    /// short), keeping the last event ID. Not an error: <see cref="Error"/> is not raised.
    /// </summary>
    public void Restart()
    {
        lock (_gate)
        {
            _restartRequested = true;
            _attempt?.Cancel();
        }
    }

    /// <summary>Closes the source for good: the connection is dropped and the enumeration ends quietly.</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _closing.Cancel();
            }
        }
    }

    /// <summary>Closes the source and releases the <see cref="HttpClient"/> it created, once its enumeration has ended.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _closing.Cancel();
            _disposed = true;
            if (!_enumerating)
            {
                ReleaseResources();
            }
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        // Nothing to await: the enumeration, if one runs, ends on the cancellation and releases
        // what is left. Waiting for it here would deadlock a caller that disposes from inside it.
        Dispose();
        return ValueTask.CompletedTask;
    }

    private async IAsyncEnumerable<SseEvent> ReadIteratorAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!BeginEnumeration())
        {
            yield break;
        }

        try
        {
            using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
            TimeSpan delay = TimeSpan.Zero;
            while (!lifetime.IsCancellationRequested)
            {
                CancellationTokenSource attempt = BeginAttempt(lifetime.Token, ref delay);
                try
                {
                    if (delay > TimeSpan.Zero && !await DelayAsync(delay, attempt.Token).ConfigureAwait(false))
                    {
                        // Restarted (connect now) or closed (the loop ends).
                        delay = TimeSpan.Zero;
                        continue;
                    }

                    delay = TimeSpan.Zero;
                    SetState(EventSourceState.Connecting);
                    string sentLastEventId = _lastEventId;
                    (ConnectResult result, Exception? failure) = await ConnectAsync(sentLastEventId, attempt.Token).ConfigureAwait(false);
                    if (attempt.IsCancellationRequested)
                    {
                        result.Response?.Dispose();
                        continue;
                    }

                    if (failure is not null || result.Retryable is not null)
                    {
                        if (!_reconnect)
                        {
                            ExceptionDispatchInfo.Throw(failure ?? result.Retryable!);
                        }

                        delay = Failed(failure ?? result.Retryable, result.Retryable?.RetryAfter, healthy: false);
                        continue;
                    }

                    if (result.IsNoContent)
                    {
                        // The server's way of saying "stop": closed for good, not an error.
                        yield break;
                    }

                    using HttpResponseMessage response = result.Response!;
                    SetState(EventSourceState.Open);
                    Opened?.Invoke(this, new EventSourceOpenedEventArgs(result.Url!, response.Headers, sentLastEventId));
                    long openedAt = _options.TimeProvider.GetTimestamp();
                    bool dispatched = false;
                    var parserOptions = new SseParserOptions { LastEventId = sentLastEventId, MaxEventSize = _options.MaxEventSize };
                    EventStreamReader reader = new(result.Body!, parserOptions, _options.ReadTimeout, _options.TimeProvider, attempt);
                    await using (reader.ConfigureAwait(false))
                    {
                        // Checked before each read: after Restart or Close, events already
                        // received but not yet parsed are dropped, and the server sends them again.
                        while (!attempt.IsCancellationRequested && await reader.ReadAsync().ConfigureAwait(false))
                        {
                            SseItem item = reader.Current;
                            _lastEventId = item.LastEventId;
                            if (item.IsComment && !_options.IncludeComments)
                            {
                                continue;
                            }

                            dispatched |= item.IsEvent;
                            yield return ToEvent(item);
                        }

                        _lastEventId = reader.LastEventId;
                        if (reader.Retry is { } retry)
                        {
                            Interlocked.Exchange(ref _reconnectionTicks, TimeSpan.FromMilliseconds(Math.Min(retry, (long)LongestDelay.TotalMilliseconds)).Ticks);
                        }

                        if (lifetime.IsCancellationRequested || (attempt.IsCancellationRequested && !reader.TimedOut))
                        {
                            continue;
                        }

                        Exception? ended = reader.TimedOut
                            ? new TimeoutException($"No data arrived for {_options.ReadTimeout!.Value.TotalMilliseconds:0} ms{(_reconnect ? "; reconnecting" : string.Empty)}.")
                            : reader.Failure;
                        if (!_reconnect)
                        {
                            if (ended is not null)
                            {
                                ExceptionDispatchInfo.Throw(ended);
                            }

                            // The one connection ended cleanly: so does the source.
                            yield break;
                        }

                        bool healthy = dispatched || _options.TimeProvider.GetElapsedTime(openedAt) >= _options.HealthyConnectionTime;
                        delay = Failed(ended, retryAfter: null, healthy);
                    }
                }
                finally
                {
                    EndAttempt(attempt);
                }
            }
        }
        finally
        {
            EndEnumeration();
        }
    }

    private async Task<(ConnectResult Result, Exception? Failure)> ConnectAsync(string lastEventId, CancellationToken cancellationToken)
    {
        try
        {
            return (await _connector.ConnectAsync(lastEventId, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception exception) when (IsConnectionFailure(exception))
        {
            return (default, exception);
        }
    }

    /// <summary>Failures worth another attempt: the network, and timeouts of a caller's HttpClient.</summary>
    private static bool IsConnectionFailure(Exception exception) =>
        exception is (HttpRequestException and not EventSourceResponseException) or IOException or OperationCanceledException or TimeoutException;

    /// <summary>Waits out a reconnection delay; false when Restart or Close cut it short.</summary>
    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Counts a failure (after forgetting earlier ones if the connection was healthy), reports it, and returns the delay before the next attempt.</summary>
    private TimeSpan Failed(Exception? exception, TimeSpan? retryAfter, bool healthy)
    {
        if (healthy)
        {
            _backoff.Reset();
        }

        TimeSpan delay = _backoff.Next(ReconnectionTime);
        if (retryAfter > delay)
        {
            delay = retryAfter.Value;
        }

        if (delay > LongestDelay)
        {
            delay = LongestDelay;
        }

        SetState(EventSourceState.Connecting);
        Error?.Invoke(this, new EventSourceErrorEventArgs(exception, delay, _backoff.Failures));
        return delay;
    }

    private static SseEvent ToEvent(in SseItem item)
    {
        SseEventKind kind = item.IsComment ? SseEventKind.Comment
            : item.Type == SseEvent.GapEventType ? SseEventKind.Gap
            : SseEventKind.Event;
        return new SseEvent(kind, item.Type, item.Data, item.LastEventId);
    }

    private bool BeginEnumeration()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_enumerating)
            {
                throw new InvalidOperationException("This EventSourceClient is already being enumerated; enumerate ReadAllAsync once.");
            }

            if (_ended || _closing.IsCancellationRequested)
            {
                SetState(EventSourceState.Closed);
                return false;
            }

            _enumerating = true;
            return true;
        }
    }

    private void EndEnumeration()
    {
        lock (_gate)
        {
            _enumerating = false;
            _ended = true;
            SetState(EventSourceState.Closed);
            if (_disposed)
            {
                ReleaseResources();
            }
        }
    }

    /// <summary>Starts an attempt Restart can cancel; a Restart that came between attempts skips the delay.</summary>
    private CancellationTokenSource BeginAttempt(CancellationToken lifetime, ref TimeSpan delay)
    {
        var attempt = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        lock (_gate)
        {
            if (_restartRequested)
            {
                _restartRequested = false;
                delay = TimeSpan.Zero;
            }

            _attempt = attempt;
        }

        return attempt;
    }

    private void EndAttempt(CancellationTokenSource attempt)
    {
        lock (_gate)
        {
            // A Restart that cancelled this attempt stays requested: the next attempt consumes it.
            _attempt = null;
        }

        attempt.Dispose();
    }

    private void SetState(EventSourceState state) => Volatile.Write(ref _state, (int)state);

    private void ReleaseResources()
    {
        _closing.Dispose();
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}
