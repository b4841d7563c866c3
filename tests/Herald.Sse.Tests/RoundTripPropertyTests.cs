using System.Buffers;
using CsCheck;

namespace Herald.Sse.Tests;

/// <summary>Encode then parse gives back every event and comment, under any chunking.</summary>
public sealed class RoundTripPropertyTests
{
    private sealed record Frame(bool IsComment, string Text, string? Type, string? Id, long? Retry);

    private static readonly Gen<Frame> EventFrame =
        Gen.Select(Generators.Text, Generators.FieldText.Null(0.5), Generators.FieldText.Null(0.5), Gen.Long[0, 10_000_000_000].Nullable(0.7),
            (data, type, id, retry) => new Frame(false, data, type, id, retry));

    private static readonly Gen<Frame> CommentFrame = Generators.Text.Select(text => new Frame(true, text, null, null, null));

    private static readonly Gen<Frame[]> Frames = Gen.Frequency((5, EventFrame), (1, CommentFrame)).Array[1, 12];

    [Fact]
    public void Encoded_events_and_comments_parse_back_exactly_under_random_chunkings()
    {
        Gen.Select(Frames, Generators.Cuts).Sample((frames, cuts) =>
        {
            var writer = new ArrayBufferWriter<byte>();
            foreach (Frame frame in frames)
            {
                if (frame.IsComment)
                {
                    SseEncoder.WriteComment(writer, frame.Text);
                }
                else
                {
                    SseEncoder.WriteEvent(writer, frame.Text, frame.Type, frame.Id, frame.Retry);
                }
            }

            byte[] bytes = writer.WrittenSpan.ToArray();
            byte[][] chunks = [.. ParserRun.SplitAt(bytes, Generators.Positions(cuts, bytes.Length))];
            List<SseItem> expected = Expected(frames);

            Assert.Equal(expected, ParserRun.Feed(chunks).Items);

            // The same chunks as a network stream's reads, through the reader (lines that run
            // past a read are gathered in place there).
            using var parser = new SseParser();
            Assert.Equal(expected, parser.Read(new ChunkedStream(chunks)).ToList());
        }, iter: 3000);
    }

    /// <summary>What a browser would see: line breaks become LF, ids persist, comments split per line.</summary>
    private static List<SseItem> Expected(Frame[] frames)
    {
        var items = new List<SseItem>();
        string lastEventId = string.Empty;
        foreach (Frame frame in frames)
        {
            if (frame.IsComment)
            {
                items.AddRange(Lines(frame.Text).Select(line => SseItem.ForComment(line, lastEventId)));
                continue;
            }

            lastEventId = frame.Id ?? lastEventId;
            items.Add(SseItem.ForEvent(frame.Type, string.Join('\n', Lines(frame.Text)), lastEventId, frame.Retry));
        }

        return items;
    }

    private static string[] Lines(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
}
