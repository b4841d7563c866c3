using System.IO.Pipelines;
using System.Text;

namespace Herald.Sse.Tests;

/// <summary>The same items come out whether bytes arrive from spans, a Stream (sync or async) or a PipeReader.</summary>
public sealed class SseParserSourceTests
{
    private static readonly byte[] Sample = Encoding.UTF8.GetBytes(
        "\uFEFF: hello\r\nretry: 2000\r\nid: 1\r\nevent: add\r\ndata: é\r\ndata: €\r\n\r\ndata: 😀\n\n: bye\rid: 2\r\rdata: tail");

    private static readonly List<SseItem> Expected =
    [
        SseItem.ForComment(" hello"),
        SseItem.ForEvent("add", "é\n€", "1", 2000),
        SseItem.ForEvent(null, "😀", "1"),
        SseItem.ForComment(" bye", "1"),
    ];

    [Fact]
    public void Parse_over_a_span_gives_events_and_comments_in_order() =>
        Assert.Equal(Expected, SseParser.Parse(Sample));

    [Fact]
    public void Read_over_a_stream_that_returns_one_byte_at_a_time()
    {
        using var parser = new SseParser();
        Assert.Equal(Expected, parser.Read(new TrickleStream(Sample)).ToList());
        Assert.Equal("2", parser.LastEventId); // the id-only block ended; the trailing "data: tail" never did
        Assert.Equal(2000, parser.Retry);
    }

    [Fact]
    public async Task ReadAsync_over_a_stream_that_returns_one_byte_at_a_time()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var parser = new SseParser();
        var items = new List<SseItem>();
        await foreach (SseItem item in parser.ReadAsync(new TrickleStream(Sample), timeout.Token))
        {
            items.Add(item);
        }

        Assert.Equal(Expected, items);
    }

    [Fact]
    public async Task ReadAsync_over_a_pipe_yields_each_event_as_soon_as_its_bytes_arrive()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var pipe = new Pipe();
        using var parser = new SseParser();
        await using IAsyncEnumerator<SseItem> items = parser.ReadAsync(pipe.Reader, timeout.Token).GetAsyncEnumerator(timeout.Token);

        await pipe.Writer.WriteAsync("data: first\n"u8.ToArray(), timeout.Token);
        ValueTask<bool> next = items.MoveNextAsync();
        await pipe.Writer.WriteAsync("\n"u8.ToArray(), timeout.Token);
        Assert.True(await next);
        Assert.Equal("first", items.Current.Data);

        await pipe.Writer.WriteAsync("data: second\n\ndata: cut"u8.ToArray(), timeout.Token);
        Assert.True(await items.MoveNextAsync());
        Assert.Equal("second", items.Current.Data);

        await pipe.Writer.CompleteAsync();
        Assert.False(await items.MoveNextAsync());
    }

    [Fact]
    public async Task Cancelling_a_read_that_waits_for_bytes_stops_it()
    {
        var pipe = new Pipe();
        using var parser = new SseParser();
        using var cancel = new CancellationTokenSource();
        await using IAsyncEnumerator<SseItem> items = parser.ReadAsync(pipe.Reader, cancel.Token).GetAsyncEnumerator();

        ValueTask<bool> next = items.MoveNextAsync();
        Assert.False(next.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await next.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_cancelled_pending_read_throws_and_keeps_the_unfinished_event()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var pipe = new Pipe();
        using var parser = new SseParser();

        await pipe.Writer.WriteAsync("data: half"u8.ToArray(), timeout.Token);
        await using (IAsyncEnumerator<SseItem> first = parser.ReadAsync(pipe.Reader, timeout.Token).GetAsyncEnumerator(timeout.Token))
        {
            ValueTask<bool> next = first.MoveNextAsync();
            pipe.Reader.CancelPendingRead();
            await Assert.ThrowsAsync<OperationCanceledException>(async () => await next);
        }

        await pipe.Writer.WriteAsync(" done\n\n"u8.ToArray(), timeout.Token);
        await pipe.Writer.CompleteAsync();
        var items = new List<SseItem>();
        await foreach (SseItem item in parser.ReadAsync(pipe.Reader, timeout.Token))
        {
            items.Add(item);
        }

        Assert.Equal("half done", Assert.Single(items).Data);
    }

    [Fact]
    public async Task Stopping_a_pipe_read_early_leaves_the_rest_for_the_next_read()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var pipe = new Pipe();
        using var parser = new SseParser();
        await pipe.Writer.WriteAsync("data: 1\n\ndata: 2\n\ndata: 3\n\n"u8.ToArray(), timeout.Token);
        await pipe.Writer.CompleteAsync();

        await foreach (SseItem first in parser.ReadAsync(pipe.Reader, timeout.Token))
        {
            Assert.Equal("1", first.Data);
            break;
        }

        var rest = new List<string>();
        await foreach (SseItem item in parser.ReadAsync(pipe.Reader, timeout.Token))
        {
            rest.Add(item.Data);
        }

        Assert.Equal(["2", "3"], rest);
    }

    [Fact]
    public async Task Many_events_with_lines_across_every_read_boundary_read_the_same_as_a_whole_parse()
    {
        // Lines of varied length land across the reader's read boundaries; the 40 KB ones are long
        // enough to be read straight into the line buffer, and the read that ends them brings
        // many more events.
        var text = new StringBuilder();
        for (int i = 0; i < 20_000; i++)
        {
            text.Append("id: ").Append(i).Append("\ndata: ").Append('x', i % 97).Append(i % 5 == 0 ? new string('y', 3000) : "").Append(i % 1000 == 0 ? new string('z', 40_000) : "").Append("\n\n");
        }

        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
        List<SseItem> expected = SseParser.Parse(bytes);
        Assert.Equal(20_000, expected.Count);

        using (var parser = new SseParser())
        {
            Assert.Equal(expected, parser.Read(new MemoryStream(bytes)).ToList());
        }

        using var asyncParser = new SseParser();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var items = new List<SseItem>();
        await foreach (SseItem item in asyncParser.ReadAsync(new MemoryStream(bytes), timeout.Token))
        {
            items.Add(item);
        }

        Assert.Equal(expected, items);
    }

    [Fact]
    public void A_reconnecting_client_starts_from_its_last_event_id()
    {
        var options = new SseParserOptions { LastEventId = "41" };
        List<SseItem> items = SseParser.Parse("data: a\n\nid: 42\ndata: b\n\n"u8, options);
        Assert.Equal(["41", "42"], items.Select(i => i.LastEventId));
    }

    [Fact]
    public void Append_after_the_end_of_the_stream_is_refused()
    {
        using var parser = new SseParser();
        parser.Append("data: x\n\n"u8);
        parser.Complete();
        Assert.Throws<InvalidOperationException>(() => parser.Append("data: y\n\n"u8));
        Assert.True(parser.TryRead(out SseItem item));
        Assert.Equal("x", item.Data);
    }

    [Fact]
    public void Equal_types_and_ids_reuse_one_string()
    {
        List<SseItem> items = SseParser.Parse("event: tick\nid: 7\ndata: 1\n\nevent: tick\nid: 7\ndata: 2\n\n"u8);
        Assert.Same(items[0].Type, items[1].Type);
        Assert.Same(items[0].LastEventId, items[1].LastEventId);
    }

    /// <summary>A read-only stream that hands out one byte per read, the worst case for split lines and sequences.</summary>
    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(1, buffer.Length)]);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(1, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));
    }
}
