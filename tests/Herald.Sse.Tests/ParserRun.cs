namespace Herald.Sse.Tests;

/// <summary>The outcome of feeding a whole stream to one parser: its items and its state at the end.</summary>
internal sealed record ParserRun(List<SseItem> Items, string FinalLastEventId, long? Retry)
{
    public IEnumerable<SseItem> Events => Items.Where(i => i.IsEvent);

    public static ParserRun Feed(IEnumerable<byte[]> chunks, SseParserOptions? options = null)
    {
        using var parser = new SseParser(options);
        var items = new List<SseItem>();
        foreach (byte[] chunk in chunks)
        {
            parser.Append(chunk);
            while (parser.TryRead(out SseItem item))
            {
                items.Add(item);
            }
        }

        parser.Complete();
        Assert.False(parser.TryRead(out _), "Complete() must not produce items: an unfinished event is discarded.");
        return new ParserRun(items, parser.LastEventId, parser.Retry);
    }

    public static ParserRun Feed(byte[] stream, int chunkSize, SseParserOptions? options = null) =>
        Feed(Split(stream, chunkSize), options);

    /// <summary>Splits into chunks of <paramref name="size"/> bytes (0 means one chunk).</summary>
    public static IEnumerable<byte[]> Split(byte[] bytes, int size) =>
        size <= 0 ? [bytes] : bytes.Chunk(size);

    /// <summary>Splits at the given cut points (sorted, possibly repeated, giving empty chunks).</summary>
    public static IEnumerable<byte[]> SplitAt(byte[] bytes, IEnumerable<int> cuts)
    {
        int start = 0;
        foreach (int cut in cuts.Order())
        {
            yield return bytes[start..cut];
            start = cut;
        }

        yield return bytes[start..];
    }
}
