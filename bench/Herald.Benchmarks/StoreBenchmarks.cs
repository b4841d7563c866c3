using BenchmarkDotNet.Attributes;
using Herald.Hub;
using Herald.Hub.History.Sqlite;
using Herald.Hub.Selectors;
using Microsoft.Extensions.Options;

namespace Herald.Benchmarks;

/// <summary>
/// Publish throughput on the durable history: events committed per second through
/// <see cref="HeraldHub.PublishAsync"/> (no subscribers) on a <see cref="SqliteEventLog"/> in a
/// temporary directory. Each of N concurrent writers awaits its publish before the next, so the
/// hub's group commit batches at most N publishes per transaction. Reported per event.
/// </summary>
/// <remarks>Retention is off so every invocation measures appends only; the store grows across
/// iterations as a live one would. Not sealed because BenchmarkDotNet derives its runner from the class.</remarks>
[MemoryDiagnoser]
[EventsPerSecondColumn]
public class StoreBenchmarks : IDisposable
{
    /// <summary>Divisible by every writer count, so each writer publishes the same number.</summary>
    private const int EventsPerInvoke = 1_024;
    private const string Topic = "https://example.com/prices/ACME";

    private string _directory = "";
    private SqliteEventLog _log = null!;
    private HeraldHub _hub = null!;

    [Params(1, 8, 64)]
    public int Writers { get; set; }

    [Params(SqliteDurability.Full, SqliteDurability.Normal)]
    public SqliteDurability Durability { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "herald-store-bench", Guid.NewGuid().ToString("N"));
        _log = new SqliteEventLog(
            new SqliteEventLogOptions { DataDirectory = _directory, Durability = Durability, MaxEvents = 0, MaxAge = TimeSpan.Zero },
            TimeProvider.System);
        var options = Options.Create(new HeraldOptions());
        _hub = new HeraldHub(_log, options, TimeProvider.System, new TopicSelectorCache());
    }

    [Benchmark(OperationsPerInvoke = EventsPerInvoke)]
    public Task Publish()
    {
        var writers = new Task[Writers];
        for (int i = 0; i < writers.Length; i++)
        {
            writers[i] = WriteAsync(EventsPerInvoke / Writers);
        }

        return Task.WhenAll(writers);
    }

    private async Task WriteAsync(int count)
    {
        // Yield first, so the writers run concurrently rather than one after another up to their first await.
        await Task.Yield();
        for (int i = 0; i < count; i++)
        {
            // A price tick: small, like most real-time updates. The hub generates the id.
            await _hub.PublishAsync(new Update([Topic], $"{{\"symbol\":\"ACME\",\"price\":{100 + (i % 7)}.25}}")).ConfigureAwait(false);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _hub.Dispose();
        _log.Dispose();
        GC.SuppressFinalize(this);
    }
}
