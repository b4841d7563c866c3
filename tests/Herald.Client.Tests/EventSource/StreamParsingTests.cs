using System.Text;
using Herald.Sse;

namespace Herald.Client.Tests.EventSource;

/// <summary>What the client reads from real connections: any chunking, big events, the BOM, comments.</summary>
public sealed class StreamParsingTests
{
    [Fact]
    public async Task Lines_and_multibyte_characters_split_into_one_byte_writes_arrive_whole()
    {
        const string stream =
            "event: gr\u00FC\u00DFe\r\ndata: h\u00E9llo \u2603\r\ndata: \U0001D11E clef\r\nid: \u00E9-1\r\n\r\n" +
            ": beat\rdata: second\r\rdata: third\n\n";
        await using ScriptedServer server = await ScriptedServer.StartAsync(async exchange =>
        {
            await exchange.StartEventStreamAsync();
            await exchange.SendBytewiseAsync(Encoding.UTF8.GetBytes(stream));
            await exchange.HoldOpenAsync();
        });
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url(), IncludeComments = true });

        Assert.Equal(new SseEvent(SseEventKind.Event, "gr\u00FC\u00DFe", "h\u00E9llo \u2603\n\U0001D11E clef", "\u00E9-1"), await reader.NextAsync());
        Assert.Equal(new SseEvent(SseEventKind.Comment, "", " beat", "\u00E9-1"), await reader.NextAsync());
        Assert.Equal(new SseEvent(SseEventKind.Event, "message", "second", "\u00E9-1"), await reader.NextAsync());
        Assert.Equal(new SseEvent(SseEventKind.Event, "message", "third", "\u00E9-1"), await reader.NextAsync());
    }

    [Fact]
    public async Task A_14_MB_event_arrives_intact()
    {
        const int size = 14_000_000;
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++)
        {
            data[i] = (byte)('a' + (i % 26));
        }

        await using ScriptedServer server = await ScriptedServer.StartAsync(async exchange =>
        {
            await exchange.StartEventStreamAsync();
            await exchange.SendAsync("id: big\ndata: ");
            for (int offset = 0; offset < size; offset += 64 * 1024)
            {
                await exchange.SendAsync(data.AsMemory(offset, Math.Min(64 * 1024, size - offset)));
            }

            await exchange.SendAsync("\n\ndata: after\n\n");
            await exchange.HoldOpenAsync();
        });
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url() }, TimeSpan.FromSeconds(30));

        SseEvent big = await reader.NextAsync();
        Assert.Equal(size, big.Data.Length);
        Assert.True(big.Data == Encoding.ASCII.GetString(data), "the 14 MB of data differ from what was sent");
        Assert.Equal("big", big.LastEventId);
        Assert.Equal("after", (await reader.NextAsync()).Data);
    }

    [Fact]
    public async Task A_byte_order_mark_is_stripped_at_the_start_of_every_connection_even_split()
    {
        byte[] bom = [0xEF, 0xBB, 0xBF];
        await using ScriptedServer server = await ScriptedServer.StartAsync(async exchange =>
        {
            await exchange.StartEventStreamAsync();
            await exchange.SendBytewiseAsync(bom);
            // A second BOM is content: it makes "\uFEFFdata" an unknown field, which is ignored.
            await exchange.SendAsync((byte[])[.. bom, .. "data: ignored\n\n"u8]);
            await exchange.SendAsync($"data: connection {exchange.Request.Number}\n\n");
            if (exchange.Request.Number > 1)
            {
                await exchange.HoldOpenAsync();
            }
        });
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url(), ReconnectionTime = TimeSpan.Zero });

        Assert.Equal("connection 1", (await reader.NextAsync()).Data);
        Assert.Equal("connection 2", (await reader.NextAsync()).Data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Comments_are_reported_only_when_asked_for(bool includeComments)
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(async exchange =>
        {
            await exchange.StartEventStreamAsync();
            await exchange.SendAsync(":\n: heartbeat\ndata: one\n: inside a block\ndata: two\n\n");
            await exchange.HoldOpenAsync();
        });
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url(), IncludeComments = includeComments });

        List<SseEvent> expected = includeComments
            ?
            [
                new(SseEventKind.Comment, "", "", ""),
                new(SseEventKind.Comment, "", " heartbeat", ""),
                new(SseEventKind.Comment, "", " inside a block", ""),
                new(SseEventKind.Event, "message", "one\ntwo", ""),
            ]
            : [new(SseEventKind.Event, "message", "one\ntwo", "")];
        Assert.Equal(expected, await reader.NextAsync(expected.Count));
    }

    [Fact]
    public async Task A_herald_reset_event_is_reported_as_a_gap_and_other_types_as_events()
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(async exchange =>
        {
            await exchange.StartEventStreamAsync();
            await exchange.SendAsync("event: herald-reset\ndata: {\"reason\":\"evicted\"}\n\nevent: herald-resets\nid: 3\ndata: x\n\n");
            await exchange.HoldOpenAsync();
        });
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url() });

        SseEvent gap = await reader.NextAsync();
        SseEvent other = await reader.NextAsync();
        Assert.True(gap.IsGap);
        Assert.Equal(new SseEvent(SseEventKind.Gap, SseEvent.GapEventType, "{\"reason\":\"evicted\"}", ""), gap);
        Assert.False(other.IsGap);
        Assert.Equal(new SseEvent(SseEventKind.Event, "herald-resets", "x", "3"), other);
    }

    [Fact]
    public async Task An_event_over_the_maximum_size_fails_with_the_parsers_error_and_no_reconnection()
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(async exchange =>
        {
            await exchange.StartEventStreamAsync();
            await exchange.SendAsync("data: small\n\ndata: " + new string('x', 2000) + "\n\n");
            await exchange.HoldOpenAsync();
        });
        await using var reader = new SourceReader(new EventSourceOptions { Url = server.Url(), MaxEventSize = 1000, ReconnectionTime = TimeSpan.Zero });

        Assert.Equal("small", (await reader.NextAsync()).Data);
        SseEventTooLargeException error = await reader.FailsAsync<SseEventTooLargeException>();
        Assert.Equal(1000, error.MaxEventSize);
        Assert.Equal(EventSourceState.Closed, reader.Source.State);
        Assert.Equal(1, server.RequestCount);
        Assert.Empty(reader.Errors);
    }
}
