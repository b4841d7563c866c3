using Herald.Client.Streams;
using Herald.Hub;

namespace Herald.Client.Tests.Streams;

/// <summary>
/// A real hub on Kestrel for the stream tests, with a producer client (a publisher token for every
/// stream topic) and a reader client (anonymous, which the hub allows for public streams).
/// </summary>
internal sealed class StreamHub : IAsyncDisposable
{
    public const string StreamTopics = "/.well-known/herald/streams/{id}";

    private static int s_next;

    private StreamHub(HubHost host)
    {
        Host = host;
        Producer = Client(TestTokens.Publisher(StreamTopics));
        Reader = Client(token: null);
    }

    public HubHost Host { get; }

    public TokenStreamClient Producer { get; }

    public TokenStreamClient Reader { get; }

    public static async Task<StreamHub> StartAsync(Action<HeraldOptions>? configure = null) =>
        new(await HubHost.StartAsync(options =>
        {
            options.AllowAnonymous = true;
            options.HistorySize = 50_000;
            configure?.Invoke(options);
        }));

    /// <summary>A fresh id: stream ids are single use.</summary>
    public static string NewId(string name) => $"{name}-{Interlocked.Increment(ref s_next)}-{Guid.NewGuid():N}";

    /// <summary>A client of this hub; <paramref name="keepAlive"/> sets the writers' keep-alive interval, <see cref="TimeSpan.Zero"/> for none.</summary>
    public TokenStreamClient Client(string? token, Func<CancellationToken, ValueTask<string?>>? tokenProvider = null, TimeSpan? keepAlive = null) => new(new TokenStreamClientOptions
    {
        HubUrl = Host.BaseAddress,
        Token = token,
        TokenProvider = tokenProvider,
        KeepAliveInterval = keepAlive == TimeSpan.Zero ? null : keepAlive ?? TokenStreamClientOptions.DefaultKeepAliveInterval,
    });

    /// <summary>Produces a whole stream: opens it, writes <paramref name="tokens"/>, completes it, and returns the hub's summary.</summary>
    public async Task<TokenStreamSummary> ProduceAsync(string streamId, IEnumerable<string> tokens, TokenStreamClient? producer = null, bool isPrivate = false)
    {
        using CancellationTokenSource bound = Bounded.Wait();
        await using TokenStreamWriter writer = await (producer ?? Producer).OpenAsync(streamId, isPrivate, bound.Token);
        foreach (string token in tokens)
        {
            await writer.WriteAsync(token, bound.Token);
        }

        return await writer.CompleteAsync(bound.Token);
    }

    /// <summary>Reads a stream to its end within the bound, failing on a timeout rather than returning a partial list.</summary>
    public static async Task<List<TokenStreamItem>> ReadToEndAsync(TokenStreamClient client, string streamId, string? lastEventId = null, TimeSpan? timeout = null)
    {
        using CancellationTokenSource bound = Bounded.Wait(timeout);
        var items = new List<TokenStreamItem>();
        await foreach (TokenStreamItem item in client.ReadAsync(streamId, lastEventId, bound.Token))
        {
            items.Add(item);
        }

        Assert.False(bound.IsCancellationRequested, $"Timed out reading {streamId}; got {items.Count} items.");
        return items;
    }

    /// <summary>The answer a reader assembles: every token's text, in order.</summary>
    public static string Text(IEnumerable<TokenStreamItem> items) => string.Concat(items.Where(item => item.IsToken).Select(item => item.Data));

    /// <summary>The number after the colon of a stream event id.</summary>
    public static long Number(string eventId) =>
        long.Parse(eventId.AsSpan(eventId.LastIndexOf(':') + 1), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Asserts the items' ids are the stream's, strictly increasing: nothing came twice or out of order.</summary>
    public static void AssertIdsIncrease(string streamId, List<TokenStreamItem> items)
    {
        Assert.All(items, item => Assert.StartsWith(streamId + ":", item.EventId, StringComparison.Ordinal));
        List<long> numbers = [.. items.Select(item => Number(item.EventId))];
        for (int i = 1; i < numbers.Count; i++)
        {
            Assert.True(numbers[i] > numbers[i - 1], $"Event {items[i].EventId} came after {items[i - 1].EventId}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Producer.Dispose();
        Reader.Dispose();
        await Host.DisposeAsync();
    }
}
