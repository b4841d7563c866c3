using Herald.Sse;

namespace Herald.Client;

/// <summary>Settings of an <see cref="EventSourceClient"/>: the request it sends and how it reconnects.</summary>
public sealed class EventSourceOptions
{
    /// <summary>The default <see cref="ReconnectionTime"/>: 3 seconds, what browsers use until the server sends <c>retry:</c>.</summary>
    public static readonly TimeSpan DefaultReconnectionTime = TimeSpan.FromSeconds(3);

    /// <summary>The default <see cref="MaxReconnectionDelay"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultMaxReconnectionDelay = TimeSpan.FromSeconds(30);

    /// <summary>The default <see cref="HealthyConnectionTime"/>: 10 seconds.</summary>
    public static readonly TimeSpan DefaultHealthyConnectionTime = TimeSpan.FromSeconds(10);

    /// <summary>The default <see cref="MaxRedirects"/>: 10.</summary>
    public const int DefaultMaxRedirects = 10;

    /// <summary>The absolute <c>http</c> or <c>https</c> URL of the event stream.</summary>
    public required Uri Url { get; init; }

    /// <summary>The request method: <c>GET</c> by default; any other (<c>POST</c>, <c>REPORT</c>) may carry <see cref="Body"/>.</summary>
    public HttpMethod Method { get; init; } = HttpMethod.Get;

    /// <summary>
    /// The request body, sent unchanged with every connection and reconnection (and dropped only by
    /// a 303 redirect, which turns the request into a <c>GET</c>). Give its type as a
    /// <c>Content-Type</c> entry of <see cref="Headers"/>.
    /// </summary>
    public ReadOnlyMemory<byte>? Body { get; init; }

    /// <summary>
    /// Headers added to every request, for example <c>Authorization</c> or <c>Content-Type</c>.
    /// <c>Accept: text/event-stream</c> and <c>Cache-Control: no-cache</c> are sent unless given
    /// here; <c>Last-Event-ID</c> is the client's to send (see <see cref="LastEventId"/>). An
    /// <c>Authorization</c> header is not sent to another origin after a redirect.
    /// </summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The last event ID to start from, sent as <c>Last-Event-ID</c> with the first request, as
    /// if an earlier connection had received it. <see langword="null"/> or empty sends none.
    /// </summary>
    public string? LastEventId { get; init; }

    /// <summary>
    /// The reconnection time until the server sets one with <c>retry:</c>: how long to wait
    /// before reconnecting after a healthy connection ends.
    /// </summary>
    public TimeSpan ReconnectionTime
    {
        get;
        init => field = NonNegative(value);
    } = DefaultReconnectionTime;

    /// <summary>
    /// The cap of the exponential backoff: after failures in a row the delay doubles from the
    /// reconnection time up to this (or up to the reconnection time, if that is longer).
    /// </summary>
    public TimeSpan MaxReconnectionDelay
    {
        get;
        init => field = NonNegative(value);
    } = DefaultMaxReconnectionDelay;

    /// <summary>
    /// How long a connection must stay open to count as healthy, which resets the backoff. A
    /// connection that dispatched an event is healthy however short it was.
    /// </summary>
    public TimeSpan HealthyConnectionTime
    {
        get;
        init => field = NonNegative(value);
    } = DefaultHealthyConnectionTime;

    /// <summary>
    /// When set, a connection on which no byte (event or comment) arrives for this long is
    /// dropped and reconnected. Servers that send heartbeat comments (a Herald hub does) allow a
    /// read timeout of a few heartbeat intervals. <see langword="null"/> (the default) waits forever.
    /// </summary>
    public TimeSpan? ReadTimeout
    {
        get;
        init
        {
            if (value is { } timeout)
            {
                ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
                ArgumentOutOfRangeException.ThrowIfGreaterThan(timeout, TimeSpan.FromMilliseconds(uint.MaxValue - 1));
            }

            field = value;
        }
    }

    /// <summary>Whether comment lines are reported as <see cref="SseEventKind.Comment"/>; off by default.</summary>
    public bool IncludeComments { get; init; }

    /// <summary>The most bytes one event may take (see <see cref="SseParserOptions.MaxEventSize"/>); past it, <see cref="SseEventTooLargeException"/>.</summary>
    public int MaxEventSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = SseParserOptions.DefaultMaxEventSize;

    /// <summary>
    /// Whether the client reconnects when a connection ends, breaks or cannot be made:
    /// <see langword="true"/> by default, as a browser's <c>EventSource</c> does. <see langword="false"/>
    /// sends the request once, for requests that must not be repeated, such as a <c>POST</c> that
    /// starts an LLM generation (sent again, it would start a new one). The enumeration then ends
    /// when that connection ends cleanly, and throws what would otherwise be retried: the failure
    /// to connect, the break of the connection, a <see cref="TimeoutException"/> for the read
    /// timeout, or, with <see cref="ReconnectOnTransientStatus"/>, the 5xx or 429 response.
    /// Redirects are still followed, and <see cref="EventSourceClient.Restart"/> still reconnects:
    /// the caller asks for that request.
    /// </summary>
    public bool Reconnect { get; init; } = true;

    /// <summary>
    /// Whether a 5xx or 429 response is retried with backoff (waiting at least its
    /// <c>Retry-After</c>) instead of closing the source, as the specification requires, with an
    /// <see cref="EventSourceResponseException"/>.
    /// </summary>
    public bool ReconnectOnTransientStatus { get; init; }

    /// <summary>How many redirects in a row are followed before giving up; 0 follows none.</summary>
    public int MaxRedirects
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = DefaultMaxRedirects;

    /// <summary>
    /// The client to send requests with; <see langword="null"/> creates one (disposed with the
    /// source). A client of your own must be built on a <see cref="SocketsHttpHandler"/> whose
    /// <see cref="SocketsHttpHandler.RequestHeaderEncodingSelector"/> returns UTF-8 (else a
    /// non-ASCII last event ID cannot be sent), should have <see cref="HttpClient.Timeout"/>
    /// infinite and <see cref="SocketsHttpHandler.AllowAutoRedirect"/> off (so this client
    /// applies its own redirect rules); see <see cref="EventSourceClient.CreateHttpHandler"/>.
    /// </summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>The clock for reconnection delays, the read timeout and connection health; the system clock by default.</summary>
    public TimeProvider TimeProvider
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            field = value;
        }
    } = TimeProvider.System;

    private static TimeSpan NonNegative(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
        return value;
    }
}
