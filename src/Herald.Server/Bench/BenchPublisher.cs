using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Herald.Server.Bench;

/// <summary>
/// Publishes the run's events: one lane per topic, each sending its topic's events in order on a
/// fixed schedule (open loop: a late publish is sent at once, not skipped, and the schedule does
/// not wait for it). Each event's data starts with its sequence number and the timestamp taken
/// just before it is sent, which is what the subscribers time against.
/// </summary>
internal sealed class BenchPublisher : IDisposable
{
    private static readonly MediaTypeHeaderValue FormType = new("application/x-www-form-urlencoded");
    private static readonly MediaTypeHeaderValue TextType = new("text/plain");

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
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (settings.PublisherToken is not null)
        {
            _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.PublisherToken);
        }
    }

    /// <summary>Publishes accepted (2xx).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Publishes refused or failed, by reason.</summary>
    public IReadOnlyDictionary<string, int> Failures => _failures;

    /// <summary>Publish round trips in microseconds.</summary>
    public LatencyHistogram RoundTrips => _roundTrips;

    /// <summary>Publishes every event of every topic; returns when the last has been answered.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, _settings.Topics).Select(topic => LaneAsync(_settings.Topic(topic), cancellationToken)));

    public void Dispose() => _client.Dispose();

    private async Task LaneAsync(string topic, CancellationToken cancellationToken)
    {
        string url = BenchSettings.Fill(_settings.PublishUrl, topic);
        long start = Stopwatch.GetTimestamp();
        double interval = Stopwatch.Frequency / _settings.Rate;
        for (int sequence = 0; sequence < _settings.Events; sequence++)
        {
            long due = start + (long)(sequence * interval);
            long wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken).ConfigureAwait(false);
            }

            long sentAt = Stopwatch.GetTimestamp();
            using var content = new ByteArrayContent(Body(topic, Data(sequence, sentAt)));
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
    }

    /// <summary>"SEQUENCE TIMESTAMP xxx…", padded to the payload size.</summary>
    private string Data(int sequence, long timestamp)
    {
        string head = string.Create(CultureInfo.InvariantCulture, $"{sequence} {timestamp} ");
        return head.Length >= _settings.PayloadBytes ? head : head + new string('x', _settings.PayloadBytes - head.Length);
    }

    private byte[] Body(string topic, string data) => _settings.PublishFormat == "raw"
        ? Encoding.UTF8.GetBytes(data)
        : Encoding.UTF8.GetBytes($"topic={WebUtility.UrlEncode(topic)}&data={WebUtility.UrlEncode(data)}");
}
