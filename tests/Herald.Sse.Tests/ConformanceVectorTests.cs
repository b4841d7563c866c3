using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.Sse.Tests;

/// <summary>
/// Every vector of ../shared/conformance/sse-vectors.json (WHATWG, Web Platform Tests and other
/// public suites), whole, in 1-, 2- and 7-byte chunks and in the vector's own chunks.
/// </summary>
public sealed class ConformanceVectorTests
{
    private static readonly Lazy<Dictionary<string, Vector>> Vectors = new(Load);

    /// <summary>Chunk sizes: 0 is the whole stream at once; -1 is the vector's own chunks.</summary>
    private static readonly int[] Chunkings = [0, 1, 2, 7, -1];

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (Vector vector in Vectors.Value.Values)
        {
            foreach (int chunking in Chunkings)
            {
                if (chunking != -1 || vector.Chunks is not null)
                {
                    data.Add(vector.Id, chunking);
                }
            }
        }

        return data;
    }

    [Fact]
    public void The_shared_file_holds_all_67_vectors() => Assert.Equal(67, Vectors.Value.Count);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Vector_parses_as_a_browser_would(string id, int chunking)
    {
        Vector vector = Vectors.Value[id];
        byte[] input = Convert.FromBase64String(vector.Input);
        IEnumerable<byte[]> chunks = chunking == -1
            ? vector.Chunks!.Select(Convert.FromBase64String)
            : ParserRun.Split(input, chunking);

        ParserRun run = ParserRun.Feed(chunks);

        Assert.Equal(
            vector.ExpectedEvents.Select(e => (e.Type, e.Data, e.LastEventId)),
            run.Events.Select(e => (e.Type, e.Data, e.LastEventId)));
        Assert.Equal(vector.ExpectedRetry, run.Retry);
        Assert.Equal(vector.ExpectedFinalLastEventId, run.FinalLastEventId);
    }

    [Fact]
    public void Comments_are_reported_in_stream_order()
    {
        Vector vector = Vectors.Value["wpt/format-comments"];
        ParserRun run = ParserRun.Feed(Convert.FromBase64String(vector.Input), chunkSize: 3);

        // data:1 CR :NUL LF : CRLF data:2 LF :xxx… CR data:3 LF :data:fail CR :xxx… LF data:4 LF LF
        Assert.Equal(
            [SseItemKind.Comment, SseItemKind.Comment, SseItemKind.Comment, SseItemKind.Comment, SseItemKind.Comment, SseItemKind.Event],
            run.Items.Select(i => i.Kind));
        Assert.Equal("\0", run.Items[0].Data);
        Assert.Equal(string.Empty, run.Items[1].Data);
        Assert.Equal("data:fail", run.Items[3].Data);
        Assert.Equal("1\n2\n3\n4", run.Items[5].Data);
    }

    private static Dictionary<string, Vector> Load()
    {
        string path = Path.Combine(RepositoryPaths.Shared, "conformance", "sse-vectors.json");
        using FileStream file = File.OpenRead(path);
        VectorFile parsed = JsonSerializer.Deserialize<VectorFile>(file)
            ?? throw new InvalidDataException($"{path} is empty.");
        return parsed.Vectors.ToDictionary(v => v.Id);
    }

    private sealed record VectorFile([property: JsonPropertyName("vectors")] List<Vector> Vectors);

    private sealed record Vector(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("input_b64")] string Input,
        [property: JsonPropertyName("chunks_b64")] List<string>? Chunks,
        [property: JsonPropertyName("expected_events")] List<ExpectedEvent> ExpectedEvents,
        [property: JsonPropertyName("expected_retry_ms")] long? ExpectedRetry,
        [property: JsonPropertyName("expected_final_last_event_id")] string ExpectedFinalLastEventId);

    private sealed record ExpectedEvent(
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("data")] string Data,
        [property: JsonPropertyName("lastEventId")] string LastEventId);
}
