using BenchmarkDotNet.Attributes;
using Herald.Sse;
using BclSse = System.Net.ServerSentEvents;

namespace Herald.Benchmarks;

/// <summary>
/// Parses one in-memory <c>text/event-stream</c> with Herald and with the in-box parser, both
/// reading a <see cref="MemoryStream"/>, so the Ratio column is Herald relative to in-box.
/// </summary>
/// <remarks>
/// OperationsPerInvoke is a compile-time constant, so each input is its own subclass rather than
/// a [Params] value: that keeps Mean and Allocated per event for every input. The subclasses
/// are not sealed because BenchmarkDotNet derives its runner from them.
/// </remarks>
[MemoryDiagnoser]
[EventsPerSecondColumn]
public abstract class ParserBenchmarks
{
    private readonly int _eventCount;
    private byte[] _input = [];

    protected ParserBenchmarks(int eventCount) => _eventCount = eventCount;

    [GlobalSetup]
    public void Setup()
    {
        _input = CreateInput();

        // Both parsers must do the same work for the ratio to mean anything.
        (int Events, long DataLength) herald = ParseHerald();
        (int Events, long DataLength) inBox = ParseInBox();
        if (herald != inBox || herald.Events != _eventCount)
        {
            throw new InvalidOperationException(
                $"{GetType().Name}: expected {_eventCount} events; Herald saw {herald}, in-box saw {inBox} (events, data chars).");
        }
    }

    protected abstract byte[] CreateInput();

    protected (int Events, long DataLength) ParseInBox()
    {
        using var stream = new MemoryStream(_input, writable: false);
        int events = 0;
        long dataLength = 0;
        foreach (BclSse.SseItem<string> item in BclSse.SseParser.Create(stream).Enumerate())
        {
            events++;
            dataLength += item.Data.Length;
        }

        return (events, dataLength);
    }

    protected (int Events, long DataLength) ParseHerald()
    {
        using var stream = new MemoryStream(_input, writable: false);
        using var parser = new SseParser();
        int events = 0;
        long dataLength = 0;
        foreach (SseItem item in parser.Read(stream))
        {
            events++;
            dataLength += item.Data.Length;
        }

        return (events, dataLength);
    }
}

/// <summary>Measures per-event cost on an LLM-style token stream: 10,000 events of 5-20 data bytes, each with an id.</summary>
public class SmallEventParserBenchmarks() : ParserBenchmarks(EventCount)
{
    private const int EventCount = 10_000;

    [Benchmark(Baseline = true, OperationsPerInvoke = EventCount)]
    public (int Events, long DataLength) InBox() => ParseInBox();

    [Benchmark(OperationsPerInvoke = EventCount)]
    public (int Events, long DataLength) Herald() => ParseHerald();

    protected override byte[] CreateInput() => SseInputs.Tokens(EventCount);
}

/// <summary>Measures per-event cost on mid-sized payloads: 1,000 events of one 1 KB data line.</summary>
public class KilobyteEventParserBenchmarks() : ParserBenchmarks(EventCount)
{
    private const int EventCount = 1_000;

    [Benchmark(Baseline = true, OperationsPerInvoke = EventCount)]
    public (int Events, long DataLength) InBox() => ParseInBox();

    [Benchmark(OperationsPerInvoke = EventCount)]
    public (int Events, long DataLength) Herald() => ParseHerald();

    protected override byte[] CreateInput() => SseInputs.SingleLineEvents(EventCount, 1024);
}

/// <summary>Measures one big JSON-sized event, a single 1 MB data line that spans many stream reads.</summary>
public class MegabyteEventParserBenchmarks() : ParserBenchmarks(EventCount)
{
    private const int EventCount = 1;

    [Benchmark(Baseline = true, OperationsPerInvoke = EventCount)]
    public (int Events, long DataLength) InBox() => ParseInBox();

    [Benchmark(OperationsPerInvoke = EventCount)]
    public (int Events, long DataLength) Herald() => ParseHerald();

    protected override byte[] CreateInput() => SseInputs.SingleLineEvents(EventCount, 1024 * 1024);
}
