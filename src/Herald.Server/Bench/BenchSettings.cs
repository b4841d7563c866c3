namespace Herald.Server.Bench;

/// <summary>Everything one <c>herald bench</c> run does; the coordinator hands it to each worker process.</summary>
internal sealed record BenchSettings
{
    /// <summary>
    /// The subscribe URLs, with <c>{topic}</c> where the topic goes (URL-encoded): one per server,
    /// or one per node of a cluster, subscriber i taking URL i mod their count
    /// (<see cref="SubscribeUrl"/>).
    /// </summary>
    public required IReadOnlyList<string> SubscribeUrls { get; init; }

    /// <summary>The publish URL, with <c>{topic}</c> where a raw-body server wants the topic.</summary>
    public required string PublishUrl { get; init; }

    /// <summary>
    /// <c>mercure</c> (a form with topic and data, and a bearer token), <c>raw</c> (the data as the
    /// body) or <c>stream</c> (<see cref="StreamFormat"/>: one streaming POST per topic).
    /// </summary>
    public string PublishFormat { get; init; } = "mercure";

    /// <summary>The publisher's bearer token, if the server wants one.</summary>
    public string? PublisherToken { get; init; }

    /// <summary>The subscribers' bearer token, if the server wants one.</summary>
    public string? SubscriberToken { get; init; }

    /// <summary>How many subscribers connect.</summary>
    public int Subscribers { get; init; } = 1_000;

    /// <summary>How many topics the subscribers are spread over (subscriber i takes topic i mod this).</summary>
    public int Topics { get; init; } = 1;

    /// <summary>Topics unless they are token streams.</summary>
    public const string DefaultTopicPrefix = "https://bench.herald.invalid/topics/";

    /// <summary>Topic names are this prefix and a number.</summary>
    public string TopicPrefix { get; init; } = DefaultTopicPrefix;

    /// <summary>How many events are published to each topic.</summary>
    public int Events { get; init; } = 200;

    /// <summary>Events per second published to each topic.</summary>
    public double Rate { get; init; } = 100;

    /// <summary>The data of each event, in bytes (at least what the sequence number and timestamp take).</summary>
    public int PayloadBytes { get; init; } = 64;

    /// <summary>"1.1": one socket per subscriber; "2": HTTP/2 streams over shared h2c connections.</summary>
    public string Http { get; init; } = "1.1";

    /// <summary>How many worker processes hold the subscribers.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>How many connection attempts each worker has in flight at once.</summary>
    public int ConnectConcurrency { get; init; } = 200;

    /// <summary>How long all subscribers may take to connect.</summary>
    public double ConnectTimeoutSeconds { get; init; } = 120;

    /// <summary>How long the subscribers sit idle after connecting before the server's memory is read.</summary>
    public double IdleSeconds { get; init; } = 2;

    /// <summary>How long after the last publish deliveries may still arrive.</summary>
    public double DrainSeconds { get; init; } = 10;

    /// <summary>Each worker's read buffer per subscriber, in bytes.</summary>
    public int ReceiveBufferBytes { get; init; } = 4_096;

    /// <summary>The server's process ids (their child processes are included) whose CPU and memory are measured.</summary>
    public IReadOnlyList<int> ServerPids { get; init; } = [];

    /// <summary>A name for the run in tables.</summary>
    public string Label { get; init; } = "run";

    /// <summary>
    /// <see cref="PublishFormat"/> for Herald's token streams: one long POST per topic to the
    /// publish URL with a chunked <c>text/event-stream</c> body, each event a token. Topics are
    /// then streams' topics (<see cref="StreamTopicPrefix"/>), fresh for every run.
    /// </summary>
    public const string StreamFormat = "stream";

    /// <summary>What every token stream's topic starts with; the rest is the stream's id.</summary>
    public const string StreamTopicPrefix = "/.well-known/herald/streams/";

    /// <summary>Whether each topic is published as one token stream rather than a request per event.</summary>
    public bool Streaming => PublishFormat == StreamFormat;

    /// <summary>
    /// A topic prefix for token streams no earlier run has used (stream ids are single use):
    /// the streams' topic prefix and <c>bench-</c>, the time and a random number.
    /// </summary>
    public static string NewStreamTopicPrefix() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{StreamTopicPrefix}bench-{DateTime.UtcNow:yyyyMMddHHmmss}-{Random.Shared.Next():x8}-");

    /// <summary>The subscribe URL template of subscriber <paramref name="index"/>: URL index mod their count.</summary>
    public string SubscribeUrl(int index) => SubscribeUrls[index % SubscribeUrls.Count];

    /// <summary>The topic of subscriber (or topic number) <paramref name="index"/>.</summary>
    public string Topic(int index) => TopicPrefix + (index % Topics).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A URL template with <paramref name="topic"/> in place of <c>{topic}</c> (URL-encoded) and
    /// its last path segment (a token stream's id) in place of <c>{stream}</c>.
    /// </summary>
    public static string Fill(string template, string topic) => template
        .Replace("{topic}", Uri.EscapeDataString(topic), StringComparison.Ordinal)
        .Replace("{stream}", Uri.EscapeDataString(topic[(topic.LastIndexOf('/') + 1)..]), StringComparison.Ordinal);
}
