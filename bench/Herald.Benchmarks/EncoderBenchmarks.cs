using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Herald.Sse;
using BclSse = System.Net.ServerSentEvents;

namespace Herald.Benchmarks;

/// <summary>
/// Encodes one event frame over and over, as a hub does for every update: Herald into a reused
/// <see cref="ArrayBufferWriter{T}"/> (so the expected allocation is 0 B per event), the in-box
/// <c>SseFormatter</c> through its only entry point, an async write to a stream.
/// </summary>
/// <remarks>
/// The in-box formatter writes to <see cref="Stream.Null"/>: its writes complete synchronously and
/// copy nothing, so both sides pay only for producing the frame bytes in a reused buffer. Not
/// sealed because BenchmarkDotNet derives its runner from the class.
/// </remarks>
[MemoryDiagnoser]
[EventsPerSecondColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class EncoderBenchmarks
{
    private const int WritesPerInvoke = 1_000;

    private readonly ArrayBufferWriter<byte> _buffer = new(4 * 1024);
    private string _data = "";
    private string? _type;
    private string? _id;
    private IAsyncEnumerable<BclSse.SseItem<string>> _inBoxItems = AsyncEnumerable.Empty<BclSse.SseItem<string>>();

    [Params("Token", "1KB")]
    public string Event { get; set; } = "Token";

    [GlobalSetup]
    public void Setup()
    {
        (_data, _type, _id) = Event switch
        {
            "Token" => (" Hello", "token", "abc:123"),
            "1KB" => (MultiLineText(lines: 16, charsPerLine: 63), null, null),
            _ => throw new InvalidOperationException($"Unknown event '{Event}'."),
        };

        var item = new BclSse.SseItem<string>(_data, _type) { EventId = _id };
        _inBoxItems = Enumerable.Repeat(item, WritesPerInvoke).ToAsyncEnumerable();
        EnsureSameEvent(item);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = WritesPerInvoke)]
    public Task InBox() => BclSse.SseFormatter.WriteAsync(_inBoxItems, Stream.Null);

    [Benchmark(OperationsPerInvoke = WritesPerInvoke)]
    public int Herald()
    {
        int written = 0;
        for (int i = 0; i < WritesPerInvoke; i++)
        {
            _buffer.ResetWrittenCount();
            SseEncoder.WriteEvent(_buffer, _data, _type, _id);
            written += _buffer.WrittenCount;
        }

        return written;
    }

    /// <summary>Lines of letters joined by LF: 16 lines of 63 make 1,023 chars, about 1 KB.</summary>
    private static string MultiLineText(int lines, int charsPerLine)
    {
        var text = new StringBuilder(lines * (charsPerLine + 1));
        for (int line = 0; line < lines; line++)
        {
            if (line > 0)
            {
                text.Append('\n');
            }

            for (int i = 0; i < charsPerLine; i++)
            {
                text.Append((char)('a' + ((line + i) % 26)));
            }
        }

        return text.ToString();
    }

    /// <summary>Throws unless both encoders' frames parse back to the same event, so they do the same work.</summary>
    private void EnsureSameEvent(BclSse.SseItem<string> inBoxItem)
    {
        _buffer.ResetWrittenCount();
        SseEncoder.WriteEvent(_buffer, _data, _type, _id);
        List<SseItem> herald = SseParser.Parse(_buffer.WrittenSpan);

        using var stream = new MemoryStream();
        BclSse.SseFormatter.WriteAsync(new[] { inBoxItem }.ToAsyncEnumerable(), stream).GetAwaiter().GetResult();
        List<SseItem> inBox = SseParser.Parse(stream.ToArray());

        if (herald.Count != 1 || !herald.SequenceEqual(inBox) || herald[0].Data != _data)
        {
            throw new InvalidOperationException(
                $"The encoders disagree on the {Event} event: Herald [{string.Join(", ", herald)}], in-box [{string.Join(", ", inBox)}].");
        }
    }
}
