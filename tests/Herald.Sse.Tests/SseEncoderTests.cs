using System.Buffers;
using System.Text;

namespace Herald.Sse.Tests;

public sealed class SseEncoderTests
{
    private static string Encode(Action<IBufferWriter<byte>> write)
    {
        var writer = new ArrayBufferWriter<byte>();
        write(writer);
        return Encoding.UTF8.GetString(writer.WrittenSpan);
    }

    [Fact]
    public void An_event_with_every_field_is_one_frame_ended_by_a_blank_line() =>
        Assert.Equal(
            "event: greeting\nid: 7\nretry: 1500\ndata: hello\n\n",
            Encode(w => SseEncoder.WriteEvent(w, "hello", "greeting", "7", 1500)));

    [Fact]
    public void Data_is_split_on_CR_LF_and_CRLF_keeping_empty_lines_and_leading_spaces() =>
        Assert.Equal(
            "data: a\ndata: b\ndata: c\ndata: \ndata:  d\ndata: \n\n",
            Encode(w => SseEncoder.WriteEvent(w, "a\r\nb\rc\n\n d\n")));

    [Fact]
    public void Empty_data_is_one_empty_data_line_so_the_event_still_dispatches()
    {
        string frame = Encode(w => SseEncoder.WriteEvent(w, ""));
        Assert.Equal("data: \n\n", frame);
        Assert.Equal("", Assert.Single(SseParser.Parse(Encoding.UTF8.GetBytes(frame))).Data);
    }

    [Fact]
    public void A_null_type_and_id_write_no_lines_and_an_empty_id_resets_the_client_id()
    {
        Assert.Equal("data: x\n\n", Encode(w => SseEncoder.WriteEvent(w, "x", type: "", id: null)));
        Assert.Equal("id: \ndata: x\n\n", Encode(w => SseEncoder.WriteEvent(w, "x", id: "")));

        List<SseItem> items = SseParser.Parse(Encoding.UTF8.GetBytes(
            Encode(w => SseEncoder.WriteEvent(w, "a", id: "1")) + Encode(w => SseEncoder.WriteEvent(w, "b", id: ""))));
        Assert.Equal(["1", ""], items.Select(i => i.LastEventId));
    }

    [Theory]
    [InlineData("type", "a\rb", "CR")]
    [InlineData("type", "a\nb", "LF")]
    [InlineData("type", "a\0b", "NUL")]
    [InlineData("id", "1\r", "CR")]
    [InlineData("id", "\n1", "LF")]
    [InlineData("id", "1\02", "NUL")]
    public void A_type_or_id_with_CR_LF_or_NUL_is_rejected_naming_the_field_and_character(string field, string value, string character)
    {
        var writer = new ArrayBufferWriter<byte>();
        var error = Assert.Throws<ArgumentException>(() =>
            SseEncoder.WriteEvent(writer, "data", type: field == "type" ? value : null, id: field == "id" ? value : null));

        Assert.Equal(field, error.ParamName);
        Assert.Contains($"event {field} must not contain CR, LF or NUL; it contains {character}", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void A_negative_retry_is_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SseEncoder.WriteEvent(new ArrayBufferWriter<byte>(), "x", retry: -1));

    [Fact]
    public void Comments_are_written_raw_and_line_breaks_cannot_inject_fields()
    {
        Assert.Equal(":\n", Encode(w => SseEncoder.WriteComment(w, "")));
        Assert.Equal(": ping\n", Encode(w => SseEncoder.WriteComment(w, " ping")));
        Assert.Equal(":a\n:data: evil\n", Encode(w => SseEncoder.WriteComment(w, "a\r\ndata: evil")));
        Assert.DoesNotContain(SseParser.Parse(Encoding.UTF8.GetBytes(Encode(w => SseEncoder.WriteComment(w, "a\ndata: evil\n\n")))), i => i.IsEvent);
    }

    [Fact]
    public void Data_is_written_as_UTF8_and_a_lone_surrogate_becomes_the_replacement_character()
    {
        Assert.Equal("data: é€😀\n\n", Encode(w => SseEncoder.WriteEvent(w, "é€😀")));
        Assert.Equal("data: a\uFFFDb\n\n", Encode(w => SseEncoder.WriteEvent(w, "a\uD800b")));
    }

    [Fact]
    public void Surrogate_pairs_survive_the_slicing_of_long_data()
    {
        // Long enough to be transcoded in several slices, with pairs at odd offsets.
        string data = string.Concat(Enumerable.Repeat("a😀", 40_000)) + "b" + string.Concat(Enumerable.Repeat("😀", 20_000));
        string frame = Encode(w => SseEncoder.WriteEvent(w, data));
        Assert.Equal(data, Assert.Single(SseParser.Parse(Encoding.UTF8.GetBytes(frame))).Data);
    }

    [Fact]
    public void Writing_into_a_reused_buffer_allocates_nothing_per_event()
    {
        var writer = new ArrayBufferWriter<byte>(64 * 1024);
        const string data = "token with\ntwo lines é€";
        SseEncoder.WriteEvent(writer, data, "token", "stream-1:42", 3000);
        SseEncoder.WriteComment(writer, "heartbeat");

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            writer.ResetWrittenCount();
            SseEncoder.WriteEvent(writer, data, "token", "stream-1:42", 3000);
            SseEncoder.WriteComment(writer, "heartbeat");
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
