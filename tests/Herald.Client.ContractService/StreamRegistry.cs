using System.Collections.Concurrent;

namespace Herald.Client.ContractService;

/// <summary>The streams the harness created, by id, and the HTTP client their callbacks share.</summary>
internal sealed class StreamRegistry : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, StreamEntity> _streams = new();
    private int _lastId;

    public HttpClient CallbackHttp { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public int Add(StreamEntity stream)
    {
        int id = Interlocked.Increment(ref _lastId);
        _streams[id] = stream;
        return id;
    }

    public StreamEntity? Find(int id) => _streams.GetValueOrDefault(id);

    public StreamEntity? Remove(int id) => _streams.TryRemove(id, out StreamEntity? stream) ? stream : null;

    public async ValueTask DisposeAsync()
    {
        foreach (int id in _streams.Keys)
        {
            if (Remove(id) is { } stream)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }

        CallbackHttp.Dispose();
    }
}
