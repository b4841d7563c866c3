using System.Diagnostics;
using CsCheck;

namespace Herald.Sse.Tests;

/// <summary>
/// The parser on hostile input: random and malformed byte streams, cut into random chunks, with a
/// small event size limit. Whatever the bytes, the parser must not throw anything but
/// <see cref="SseEventTooLargeException"/>, must finish each stream promptly, and must allocate in
/// proportion to its input, never to what the input claims.
/// </summary>
public sealed class ParserFuzzTests
{
    /// <summary>Cases per run: the figure issue 9 asks of every fuzzed entry point.</summary>
    private const int Cases = 100_000;

    /// <summary>Far above what a few KiB of input costs; only a loop that never ends reaches it.</summary>
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(2);

    /// <summary>Pieces that mean something to the parser, and bytes that are not text at all.</summary>
    private static readonly Gen<byte[]> Piece = Gen.Frequency(
        (3, Gen.OneOf("data: x\n\n", "data:\r\n\r\n", "id: 7\ndata: y\r\r", ": comment\n", "event: e\ndata\n\n")
            .Select(System.Text.Encoding.UTF8.GetBytes)),
        (8, Gen.OneOf(
            "data", "data:", "data: ", "event:", "event: ", "id:", "id: ", "retry:", "retry: ", ":", " ",
            "\r", "\n", "\r\n", "\n\n", "\r\r", "\r\n\r\n", "\0", "dat", "eve", "ret", "i", "99999999999999999999", "-1", "12")
            .Select(System.Text.Encoding.UTF8.GetBytes)),
        (2, Gen.OneOf<byte[]>([0xEF, 0xBB, 0xBF], [0xEF, 0xBB], [0xEF], [0xC3], [0xF0, 0x9F], [0xED, 0xA0, 0x80], [0xFF], [0x80])),
        (4, Gen.Byte.Array[1, 16]),
        (3, Gen.Int['a', 'z'].Select(c => new[] { (byte)c })),
        // A run of one byte: long lines and long data, past the limit now and then.
        (1, Gen.Select(Gen.OneOf((byte)'x', (byte)'\n', (byte)'\r', (byte)':', (byte)0), Gen.Int[16, 6_000], (b, n) => Enumerable.Repeat(b, n).ToArray())));

    private static readonly Gen<byte[]> Streams = Piece.Array[0, 64].Select(pieces => pieces.SelectMany(p => p).ToArray());

    private static readonly Gen<(byte[] Bytes, double[] Cuts, int MaxEventSize)> Inputs =
        Gen.Select(Streams, Generators.Cuts, Gen.Int[1, 8_192]);

    [Fact]
    public async Task Random_and_malformed_streams_under_random_chunkings_never_crash_hang_or_grow_memory()
    {
        long memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        int tooLarge = 0;
        int events = 0;

        // The whole run is bounded too: a case that never returns fails the test instead of the run.
        await Task.Run(() => Inputs.Sample((bytes, cuts, maxEventSize) =>
        {
            byte[][] chunks = [.. ParserRun.SplitAt(bytes, Generators.Positions(cuts, bytes.Length))];
            var options = new SseParserOptions { MaxEventSize = maxEventSize };
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();

            Outcome appended = ParseByAppend(chunks, options);
            Outcome read = ParseByReader(chunks, options);

            TimeSpan elapsed = clock.Elapsed;
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            Assert.True(elapsed < PerCase, $"{bytes.Length} bytes took {elapsed.TotalMilliseconds:F0} ms to parse.");

            // Strings for the events (two bytes a char, a char at most per byte), the items, the
            // chunks and the buffers: a bounded multiple of the input plus the pooled buffers'
            // first rentals on this thread.
            long allowed = (256 * 1024) + (48L * bytes.Length);
            Assert.True(allocated <= allowed, $"{bytes.Length} bytes allocated {allocated} bytes (allowed {allowed}).");

            // Both entry points agree: the same items, and the same verdict on the size limit.
            Assert.Equal(appended.TooLarge, read.TooLarge);
            if (!appended.TooLarge)
            {
                Assert.Equal(appended.Items, read.Items);
            }

            foreach (SseItem item in appended.Items.Concat(read.Items))
            {
                // Nothing the parser hands out is larger than the limit allowed it to buffer.
                Assert.True(item.Data.Length <= maxEventSize, $"an item of {item.Data.Length} chars passed a limit of {maxEventSize} bytes.");
            }

            if (appended.TooLarge)
            {
                Interlocked.Increment(ref tooLarge);
            }

            Interlocked.Add(ref events, appended.Items.Count);
        }, iter: Cases)).WaitAsync(TimeSpan.FromMinutes(3));

        // The generators must reach both outcomes, or the test proves less than it says.
        Assert.InRange(tooLarge, Cases / 100, Cases - (Cases / 100));
        Assert.True(events > Cases, $"only {events} events in {Cases} streams");

        // Every parser was disposed: what the run leaves behind is the pools' cached arrays, not
        // a buffer per stream.
        long retained = GC.GetTotalMemory(forceFullCollection: true) - memoryBefore;
        Assert.True(retained < 64L * 1024 * 1024, $"the run left {retained / 1024} KiB behind");
    }

    /// <summary>Items parsed before the end or the failure, and whether the limit stopped the stream.</summary>
    private sealed record Outcome(List<SseItem> Items, bool TooLarge);

    private static Outcome ParseByAppend(byte[][] chunks, SseParserOptions options)
    {
        using var parser = new SseParser(options);
        var items = new List<SseItem>();
        try
        {
            foreach (byte[] chunk in chunks)
            {
                parser.Append(chunk);
                while (parser.TryRead(out SseItem item))
                {
                    items.Add(item);
                }
            }

            parser.Complete();
        }
        catch (SseEventTooLargeException error)
        {
            Assert.Equal(options.MaxEventSize, error.MaxEventSize);

            // The documented fault: the parser cannot resynchronise mid-event, and says so.
            Assert.Throws<InvalidOperationException>(() => parser.Append("data: more\n\n"u8));
            return new Outcome(items, TooLarge: true);
        }

        Assert.False(parser.TryRead(out _));
        return new Outcome(items, TooLarge: false);
    }

    private static Outcome ParseByReader(byte[][] chunks, SseParserOptions options)
    {
        using var parser = new SseParser(options);
        var items = new List<SseItem>();
        try
        {
            foreach (SseItem item in parser.Read(new ChunkedStream(chunks)))
            {
                items.Add(item);
            }
        }
        catch (SseEventTooLargeException)
        {
            return new Outcome(items, TooLarge: true);
        }

        return new Outcome(items, TooLarge: false);
    }
}
