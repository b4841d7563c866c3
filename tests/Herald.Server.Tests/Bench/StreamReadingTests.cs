using System.Diagnostics;
using System.Text;
using Herald.Server.Bench;

namespace Herald.Server.Tests.Bench;

/// <summary>
/// The load generator's receive path: HTTP/1.1 chunk framing and the <c>data:</c> lines split at
/// every possible point, what a subscriber counts as lost, duplicated and reordered, and the
/// latency histogram's precision.
/// </summary>
public sealed class StreamReadingTests
{
    [Fact]
    public void Chunked_framing_gives_back_the_payload_whatever_way_the_reads_split_it()
    {
        byte[] wire = Encoding.ASCII.GetBytes("7\r\n:\n\ndata\r\n1a;ext=1\r\ndata: 0 100 xxxxxxxxxxxx\n\n\r\n0\r\n\r\n");
        const string payload = ":\n\ndatadata: 0 100 xxxxxxxxxxxx\n\n";
        for (int split = 0; split <= wire.Length; split++)
        {
            var decoder = new ChunkedBodyDecoder();
            var output = new StringBuilder();
            foreach (byte[] part in new[] { wire[..split], wire[split..] })
            {
                ReadOnlySpan<byte> input = part;
                while (decoder.TryRead(ref input, out ReadOnlySpan<byte> bytes))
                {
                    output.Append(Encoding.ASCII.GetString(bytes));
                }
            }

            Assert.Equal(payload, output.ToString());
            Assert.True(decoder.Ended);
        }
    }

    [Fact]
    public void Broken_chunk_framing_is_an_error_not_a_guess()
    {
        var decoder = new ChunkedBodyDecoder();
        Assert.Throws<InvalidDataException>(() =>
        {
            ReadOnlySpan<byte> input = "zz\r\n"u8;
            decoder.TryRead(ref input, out _);
        });
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Data_lines_are_found_at_every_split_point_and_everything_else_is_skipped(string newline)
    {
        string padding = new('x', 200);
        string stream = string.Join(newline, ":", "id: 1", "data: 0 1000 " + padding, "", "event: message", "data:1 2000", "", ": heartbeat", "data: 2 3000 p", "", "");
        ScansEveryEventOnceAtEverySplitPoint(stream, 3);
    }

    [Fact]
    public void A_subscriber_counts_what_was_lost_duplicated_reordered_and_foreign()
    {
        var tracker = new DeliveryTracker(6);
        var scanner = new EventDataScanner(tracker);
        var stats = new ReceiveStats();

        // 0, 2, 2 again, then 1 after 2, then a line that is not one of the run's events; 3 to 5 never come.
        scanner.Scan("data: 0 1\n\ndata: 2 1\n\ndata: 2 1\n\ndata: 1 1\n\ndata: hello\n\ndata: 9 1\n\n"u8, 2, stats);

        Assert.Equal((3, 1, 1, 2), (tracker.Distinct, tracker.Duplicates, tracker.Reordered, tracker.Unexpected));
        Assert.False(tracker.IsComplete);
        Assert.Equal(3, tracker.Expected - tracker.Distinct);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void Merged_tokens_count_once_each_and_a_streams_lifecycle_events_count_for_nothing(string newline)
    {
        // What a reader of a Herald token stream that fell behind gets: the active event, token 0
        // on its own, tokens 1 to 3 merged into one event (one data line each, then the empty line
        // their final line feed leaves), token 4, and the final event.
        byte[] token = new byte[BenchPublisher.TokenEventCapacity(20)];
        string Token(int sequence) => Encoding.ASCII.GetString(token, 0, BenchPublisher.WriteTokenEvent(token, sequence, 1000, 20));
        string[] merged = [.. Enumerable.Range(1, 3).Select(i => Token(i).Split('\n')[0])];
        string stream = string.Join(newline, [
            "event: herald-stream", "id: s:0", "data: {\"stream\":\"s\",\"status\":\"active\"}", "",
            "id: s:1", .. Token(0).Split('\n')[..^1],
            "id: s:4", .. merged, "data: ", "",
            "id: s:5", .. Token(4).Split('\n')[..^1],
            "event: herald-stream", "id: s:6", "data: {\"stream\":\"s\",\"status\":\"done\",\"tokens\":5}", "", ""]);
        ScansEveryEventOnceAtEverySplitPoint(stream, 5);
    }

    [Fact]
    public void A_token_is_the_payload_size_with_its_line_feed_and_reads_back_as_one_data_line_and_an_empty_one()
    {
        byte[] token = new byte[BenchPublisher.TokenEventCapacity(20)];
        int length = BenchPublisher.WriteTokenEvent(token, 12, 345, 20);

        string text = Encoding.ASCII.GetString(token, 0, length);
        Assert.Equal("data: 12 345 xxxxxxxxxxxx\ndata:\n\n", text);
        Assert.Equal(20, text.IndexOf("data:\n", StringComparison.Ordinal) - "data: ".Length);
    }

    [Fact]
    public void Latency_percentiles_are_within_one_percent_and_add_up_across_histograms()
    {
        var low = new LatencyHistogram();
        var high = new LatencyHistogram();
        for (int i = 1; i <= 50_000; i++)
        {
            low.Record(i);
            high.Record(50_000 + i);
        }

        LatencyHistogram sum = LatencyHistogram.FromSparse(low.ToSparse(), low.Max);
        sum.Add(LatencyHistogram.FromSparse(high.ToSparse(), high.Max));

        Assert.Equal(100_000, sum.Count);
        Assert.Equal(100_000, sum.Max);
        Assert.InRange(sum.Percentile(50), 50_000, 50_500);
        Assert.InRange(sum.Percentile(99), 99_000, 99_990);
        Assert.InRange(sum.Percentile(1), 1_000, 1_010);
        Assert.Equal(200, sum.Percentile(0.2));
    }

    /// <summary>Scans <paramref name="stream"/> cut in two at every point: events 0 to <paramref name="events"/> - 1, each once, and nothing foreign.</summary>
    private static void ScansEveryEventOnceAtEverySplitPoint(string stream, int events)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(stream);
        for (int split = 0; split <= bytes.Length; split++)
        {
            var tracker = new DeliveryTracker(events);
            var scanner = new EventDataScanner(tracker);
            var stats = new ReceiveStats();
            bool completed = scanner.Scan(bytes.AsSpan(0, split), 1000 + Stopwatch.Frequency, stats) | scanner.Scan(bytes.AsSpan(split), 1000 + Stopwatch.Frequency, stats);

            Assert.True(completed);
            Assert.Equal((events, 0, 0, 0), (tracker.Distinct, tracker.Duplicates, tracker.Reordered, tracker.Unexpected));
            Assert.Equal(events, stats.Latency.Count);
        }
    }
}
