using System.Buffers;
using System.Text;

namespace Herald.Sse.Tests;

/// <summary>Big events parse intact; the maximum event size stops a stream before memory does.</summary>
public sealed class LargeEventTests
{
    [Fact]
    public async Task A_10_MB_multi_byte_event_is_parsed_intact()
    {
        // Multi-byte sequences (2, 3 and 4 bytes) land on every possible read boundary.
        var text = new StringBuilder();
        for (int i = 0; text.Length < 6_500_000; i++)
        {
            text.Append("é€豆腐😀 token ").Append(i % 97);
        }

        string data = text.ToString();
        Assert.True(Encoding.UTF8.GetByteCount(data) > 10_000_000);
        var writer = new ArrayBufferWriter<byte>();
        SseEncoder.WriteEvent(writer, data, "big", "1");
        SseEncoder.WriteEvent(writer, "after", id: "2");

        using var parser = new SseParser();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = new List<SseItem>();
        await foreach (SseItem item in parser.ReadAsync(new MemoryStream(writer.WrittenSpan.ToArray()), timeout.Token))
        {
            events.Add(item);
        }

        Assert.Equal(2, events.Count);
        Assert.Equal("big", events[0].Type);
        Assert.True(data == events[0].Data, "the 10 MB data must come back byte for byte");
        Assert.Equal("after", events[1].Data);
        Assert.Equal("2", parser.LastEventId);
    }

    [Fact]
    public void The_default_maximum_allows_16_MiB_events()
    {
        Assert.True(new SseParserOptions().MaxEventSize >= 16 * 1024 * 1024 + "data: \n".Length);
    }

    [Fact]
    public void One_long_data_line_over_the_maximum_raises_the_typed_exception()
    {
        var options = new SseParserOptions { MaxEventSize = 1024 * 1024 };
        byte[] stream = [.. "data: "u8, .. Enumerable.Repeat((byte)'x', 2 * 1024 * 1024), .. "\n\n"u8];

        var error = Assert.Throws<SseEventTooLargeException>(() => new SseParser(options).Read(new MemoryStream(stream)).ToList());
        Assert.Equal(1024 * 1024, error.MaxEventSize);
    }

    [Fact]
    public void Many_data_lines_over_the_maximum_raise_the_typed_exception()
    {
        var options = new SseParserOptions { MaxEventSize = 64 * 1024 };
        byte[] line = Encoding.ASCII.GetBytes("data: " + new string('y', 1000) + "\n");

        using var parser = new SseParser(options);
        Assert.Throws<SseEventTooLargeException>(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                parser.Append(line);
            }
        });
        Assert.False(parser.TryRead(out _));
    }

    [Fact]
    public void A_line_that_never_ends_is_stopped_at_the_maximum()
    {
        var options = new SseParserOptions { MaxEventSize = 256 * 1024 };
        byte[] chunk = new byte[16 * 1024];
        chunk.AsSpan().Fill((byte)':');

        using var parser = new SseParser(options);
        int appended = 0;
        Assert.Throws<SseEventTooLargeException>(() =>
        {
            while (appended < 100)
            {
                parser.Append(chunk);
                appended++;
            }
        });
        Assert.Equal(256 / 16, appended);

        // A failed parser refuses more input rather than resynchronizing mid-event.
        Assert.Throws<InvalidOperationException>(() => parser.Append("\n"u8));
    }

    [Fact]
    public void An_event_just_under_the_maximum_parses()
    {
        var options = new SseParserOptions { MaxEventSize = 4096 };
        string data = new('z', 4096 - "data: ".Length);

        SseItem item = Assert.Single(SseParser.Parse(Encoding.ASCII.GetBytes($"data: {data}\n\n"), options));
        Assert.Equal(data, item.Data);
    }
}
