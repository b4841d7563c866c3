using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Herald.Sse;

namespace Herald.Server.Bench;

/// <summary>
/// Publishes the run's events: one lane per topic, each sending its topic's events in order on a
/// fixed schedule (open loop: a late publish is sent at once, not skipped, and the schedule does
/// not wait for it). Each event's data starts with its sequence number and the timestamp taken
/// just before it is sent, which is what the subscribers time against. A lane sends one request
/// per event, or (<see cref="BenchSettings.StreamFormat"/>) one streaming request for all of them,
/// each event a token written and flushed into its body on the same schedule.
/// </summary>
internal sealed class BenchPublisher : IDisposable
{
    private static readonly MediaTypeHeaderValue FormType = new("application/x-www-form-urlencoded");
    private static readonly MediaTypeHeaderValue TextType = new("text/plain");
    private static readonly MediaTypeHeaderValue EventStreamType = new("text/event-stream");

    private readonly BenchSettings _settings;
    private readonly HttpClient _client;
    private readonly LatencyHistogram _roundTrips = new();
    private readonly Dictionary<string, int> _failures = [];
    private long _sent;

    public BenchPublisher(BenchSettings settings)
    {
        _settings = settings;
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan })
        {
            // A stream's request lasts the whole run; the coordinator bounds it.
            Timeout = settings.Streaming ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(30),
        };
        if (settings.PublisherToken is not null)
        {
            _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.PublisherToken);
        }
    }

    /// <summary>Publishes accepted (2xx); with streams, tokens written into their body.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Publishes refused or failed, by reason; with streams, streams that did not end as <c>done</c> with every token.</summary>
    public IReadOnlyDictionary<string, int> Failures => _failures;

    /// <summary>Publish round trips in microseconds; with streams, how long writing and flushing each token took.</summary>
    public LatencyHistogram RoundTrips => _roundTrips;

    /// <summary>Publishes every event of every topic; returns when the last has been answered.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, _settings.Topics).Select(topic => _settings.Streaming
            ? StreamLaneAsync(_settings.Topic(topic), cancellationToken)
            : LaneAsync(_settings.Topic(topic), cancellationToken)));

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// Writes a token event of Herald's streaming publish body: <c>data: </c> and the token, whose
    /// data (<see cref="WriteData"/>) ends with a line feed so that tokens a reader gets merged
    /// into one event are one <c>data:</c> line each. Returns the length.
    /// </summary>
    internal static int WriteTokenEvent(Span<byte> destination, int sequence, long timestamp, int payloadBytes)
    {
        "data: "u8.CopyTo(destination);
        int length = 6 + WriteData(destination[6..], sequence, timestamp, payloadBytes, lineEnd: true);

        // The data's final line feed makes an empty last line, then the blank line ends the event.
        "data:\n\n"u8.CopyTo(destination[length..]);
        return length + 7;
    }

    /// <summary>Bytes enough for <see cref="WriteTokenEvent"/> with <paramref name="payloadBytes"/>.</summary>
    internal static int TokenEventCapacity(int payloadBytes) => Math.Max(payloadBytes, 48) + 16;

    /// <summary>
    /// Writes an event's data: "SEQUENCE TIMESTAMP xxx…", padded to <paramref name="payloadBytes"/>
    /// (at least the numbers); with <paramref name="lineEnd"/> the last of those bytes is a line feed.
    /// </summary>
    private static int WriteData(Span<byte> destination, int sequence, long timestamp, int payloadBytes, bool lineEnd)
    {
        Utf8Formatter.TryFormat(sequence, destination, out int length);
        destination[length++] = (byte)' ';
        Utf8Formatter.TryFormat(timestamp, destination[length..], out int written);
        length += written;
        destination[length++] = (byte)' ';
        int padding = Math.Max(0, payloadBytes - length - (lineEnd ? 1 : 0));
        destination.Slice(length, padding).Fill((byte)'x');
        length += padding;
        if (lineEnd)
        {
            destination[length++] = (byte)'\n';
        }

        return length;
    }

    /// <summary>Waits until event <paramref name="sequence"/> of a lane that started at <paramref name="start"/> is due.</summary>
    private Task DueAsync(long start, int sequence, CancellationToken cancellationToken)
    {
        long wait = start + (long)(sequence * (Stopwatch.Frequency / _settings.Rate)) - Stopwatch.GetTimestamp();
        return wait > 0 ? Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken) : Task.CompletedTask;
    }

    /// <summary>Counts one publish (or token write) that began at <paramref name="sentAt"/>.</summary>
    private void Record(long sentAt, string? failure)
    {
        lock (_roundTrips)
        {
            _roundTrips.Record((Stopwatch.GetTimestamp() - sentAt) * 1_000_000 / Stopwatch.Frequency);
            if (failure is not null)
            {
                _failures[failure] = _failures.GetValueOrDefault(failure) + 1;
            }
        }

        if (failure is null)
        {
            Interlocked.Increment(ref _sent);
        }
    }

    private void Fail(string failure)
    {
        lock (_roundTrips)
        {
            _failures[failure] = _failures.GetValueOrDefault(failure) + 1;
        }
    }

    private async Task LaneAsync(string topic, CancellationToken cancellationToken)
    {
        string url = BenchSettings.Fill(_settings.PublishUrl, topic);
        long start = Stopwatch.GetTimestamp();
        byte[] data = new byte[Math.Max(_settings.PayloadBytes, 48)];
        for (int sequence = 0; sequence < _settings.Events; sequence++)
        {
            await DueAsync(start, sequence, cancellationToken).ConfigureAwait(false);
            long sentAt = Stopwatch.GetTimestamp();
            string text = Encoding.ASCII.GetString(data, 0, WriteData(data, sequence, sentAt, _settings.PayloadBytes, lineEnd: false));
            using var content = new ByteArrayContent(Body(topic, text));
            content.Headers.ContentType = _settings.PublishFormat == "raw" ? TextType : FormType;
            string? failure;
            try
            {
                using HttpResponseMessage response = await _client.PostAsync(url, content, cancellationToken).ConfigureAwait(false);
                failure = response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException exception)
            {
                failure = exception.HttpRequestError.ToString();
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = "timed out";
            }

            Record(sentAt, failure);
        }
    }

    /// <summary>
    /// One token stream: a POST whose body writes the topic's events as tokens on the lane's
    /// schedule, then ends (the stream is done). The response is the stream's control channel;
    /// anything but a final <c>done</c> with every token is a failure.
    /// </summary>
    private async Task StreamLaneAsync(string topic, CancellationToken cancellationToken)
    {
        using var body = new TokenStreamBody(this, Stopwatch.GetTimestamp(), cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, BenchSettings.Fill(_settings.PublishUrl, topic)) { Content = body };
        string? failure;
        try
        {
            using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            failure = response.IsSuccessStatusCode
                ? await StreamEndAsync(response, cancellationToken).ConfigureAwait(false)
                : $"HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException exception)
        {
            failure = exception.HttpRequestError.ToString();
        }
        catch (IOException)
        {
            failure = "control channel broke";
        }

        if (failure is not null)
        {
            Fail(failure);
        }
    }

    /// <summary>Reads the control channel to its end: null when the stream ended <c>done</c> with every token, else what went wrong.</summary>
    private async Task<string?> StreamEndAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        Stream control = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        string? last = null;
        using (var parser = new SseParser())
        {
            await foreach (SseItem item in parser.ReadAsync(control, cancellationToken).ConfigureAwait(false))
            {
                if (item.IsEvent && item.Type == "herald-stream")
                {
                    last = item.Data;
                }
            }
        }

        if (last is null)
        {
            return "stream ended without a status";
        }

        using JsonDocument summary = JsonDocument.Parse(last);
        string status = summary.RootElement.TryGetProperty("status", out JsonElement s) ? s.GetString() ?? "?" : "?";
        long tokens = summary.RootElement.TryGetProperty("tokens", out JsonElement t) && t.TryGetInt64(out long n) ? n : -1;
        return status != "done" ? $"stream {status}" : tokens != _settings.Events ? $"stream stored {tokens} tokens" : null;
    }

    private byte[] Body(string topic, string data) => _settings.PublishFormat == "raw"
        ? Encoding.UTF8.GetBytes(data)
        : Encoding.UTF8.GetBytes($"topic={WebUtility.UrlEncode(topic)}&data={WebUtility.UrlEncode(data)}");

    /// <summary>A streaming publish body: the lane's tokens, each written and flushed when due, then the end.</summary>
    private sealed class TokenStreamBody : HttpContent
    {
        private readonly BenchPublisher _publisher;
        private readonly long _start;
        private readonly CancellationToken _cancellationToken;

        public TokenStreamBody(BenchPublisher publisher, long start, CancellationToken cancellationToken)
        {
            _publisher = publisher;
            _start = start;
            _cancellationToken = cancellationToken;
            Headers.ContentType = EventStreamType;
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, _cancellationToken);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            BenchSettings settings = _publisher._settings;
            byte[] buffer = new byte[TokenEventCapacity(settings.PayloadBytes)];
            for (int sequence = 0; sequence < settings.Events; sequence++)
            {
                await _publisher.DueAsync(_start, sequence, cancellationToken).ConfigureAwait(false);
                long sentAt = Stopwatch.GetTimestamp();
                int length = WriteTokenEvent(buffer, sequence, sentAt, settings.PayloadBytes);
                await stream.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                _publisher.Record(sentAt, null);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            // Unknown: the body is sent chunked, as it is written.
            length = 0;
            return false;
        }
    }
}
