using BenchmarkDotNet.Attributes;
using Herald.Hub;
using Herald.Hub.History.Sqlite;

namespace Herald.Benchmarks;

/// <summary>
/// Start-up on a big store: opening a <see cref="SqliteEventLog"/> on 1,000,000 events (built
/// once, in batches of 10,000) and loading its in-memory tail of the default 10,000. Mean is the
/// start-up time; the log is closed after each invocation, outside the measurement.
/// </summary>
/// <remarks>Not sealed because BenchmarkDotNet derives its runner from the class.</remarks>
[MemoryDiagnoser]
public class StoreStartupBenchmarks : IDisposable
{
    private const int Events = 1_000_000;
    private const int Batch = 10_000;

    private string _directory = "";
    private SqliteEventLog? _opened;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "herald-startup-bench", Guid.NewGuid().ToString("N"));
        using var log = new SqliteEventLog(Options(), TimeProvider.System);
        for (int start = 0; start < Events; start += Batch)
        {
            var updates = new Update[Batch];
            for (int i = 0; i < Batch; i++)
            {
                // About 100 bytes of JSON, a topic per symbol, and one publisher id in four, as a mixed hub sees.
                int n = start + i;
                updates[i] = new Update(
                    [$"https://example.com/prices/S{n % 500}"],
                    $"{{\"symbol\":\"S{n % 500}\",\"price\":{100 + (n % 97)}.25,\"volume\":{n},\"note\":\"a price tick of moderate size\"}}",
                    id: n % 4 == 0 ? $"tick-{n}" : null);
            }

            log.AppendAsync(updates, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
    }

    [Benchmark]
    public SqliteEventLog Open() => _opened = new SqliteEventLog(Options(), TimeProvider.System);

    [IterationCleanup]
    public void Close() => Dispose();

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    /// <inheritdoc />
    public void Dispose()
    {
        _opened?.Dispose();
        _opened = null;
        GC.SuppressFinalize(this);
    }

    private SqliteEventLogOptions Options() => new() { DataDirectory = _directory, Durability = SqliteDurability.Normal };
}
