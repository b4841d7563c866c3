using System.Text;

namespace Herald.Client.Tests.EventSource;

/// <summary>The last event ID string: how it persists, resets and is sent back when reconnecting.</summary>
public sealed class LastEventIdTests
{
    private static EventSourceOptions Options(ScriptedServer server, string? lastEventId = null, HttpClient? http = null) =>
        new() { Url = server.Url(), ReconnectionTime = TimeSpan.Zero, LastEventId = lastEventId, HttpClient = http };

    [Fact]
    public async Task The_id_persists_across_events_and_connections_and_is_sent_when_reconnecting()
    {
        await using ScriptedServer server = await ScriptedServer.StartSequenceAsync("id: 1\ndata: a\n\ndata: b\n\n", "data: c\n\n");
        await using var reader = new SourceReader(Options(server));

        List<SseEvent> events = await reader.NextAsync(3);

        Assert.Equal(["1", "1", "1"], events.Select(e => e.LastEventId));
        Assert.Equal(["a", "b", "c"], events.Select(e => e.Data));
        Assert.Null(server.Requests[0].Header("Last-Event-ID"));
        Assert.Equal("1", server.Requests[1].Header("Last-Event-ID"));
        // The first stream ended cleanly: reported as an error with no exception.
        Assert.Null(Assert.Single(reader.Errors).Exception);
    }

    [Fact]
    public async Task An_id_reset_to_empty_sends_no_header_on_reconnection()
    {
        await using ScriptedServer server = await ScriptedServer.StartSequenceAsync("id: 1\ndata: a\n\nid:\ndata: b\n\n", "data: c\n\n");
        await using var reader = new SourceReader(Options(server));

        List<SseEvent> events = await reader.NextAsync(3);

        Assert.Equal(["1", "", ""], events.Select(e => e.LastEventId));
        Assert.Null(server.Requests[1].Header("Last-Event-ID"));
        Assert.Equal("", reader.Source.LastEventId);
    }

    [Fact]
    public async Task An_id_containing_NUL_is_ignored()
    {
        await using ScriptedServer server = await ScriptedServer.StartSequenceAsync("id: 1\ndata: a\n\nid: 2\0two\ndata: b\n\n", "data: c\n\n");
        await using var reader = new SourceReader(Options(server));

        List<SseEvent> events = await reader.NextAsync(3);

        Assert.Equal(["1", "1", "1"], events.Select(e => e.LastEventId));
        Assert.Equal("1", server.Requests[1].Header("Last-Event-ID"));
    }

    [Fact]
    public async Task An_unfinished_trailing_event_is_discarded_and_its_id_never_sent()
    {
        await using ScriptedServer server = await ScriptedServer.StartSequenceAsync("id: 1\ndata: a\n\nid: 2\ndata: never dispatched", "data: c\n\n");
        await using var reader = new SourceReader(Options(server));

        List<SseEvent> events = await reader.NextAsync(2);

        Assert.Equal(["a", "c"], events.Select(e => e.Data));
        Assert.Equal(["1", "1"], events.Select(e => e.LastEventId));
        Assert.Equal("1", server.Requests[1].Header("Last-Event-ID"));
    }

    [Fact]
    public async Task An_id_only_block_sets_the_id_sent_on_reconnection()
    {
        await using ScriptedServer server = await ScriptedServer.StartSequenceAsync("data: a\n\nid: 5\n\n", "data: c\n\n");
        await using var reader = new SourceReader(Options(server));

        List<SseEvent> events = await reader.NextAsync(2);

        Assert.Equal(["", "5"], events.Select(e => e.LastEventId));
        Assert.Equal("5", server.Requests[1].Header("Last-Event-ID"));
    }

    [Fact]
    public async Task A_non_ASCII_id_goes_back_to_the_server_as_UTF_8_bytes()
    {
        const string id = "\u00E9-\u2603-1";
        await using ScriptedServer server = await ScriptedServer.StartSequenceAsync($"id: {id}\ndata: a\n\n", "data: b\n\n");
        await using var reader = new SourceReader(Options(server));

        List<SseEvent> events = await reader.NextAsync(2);

        Assert.Equal([id, id], events.Select(e => e.LastEventId));
        Assert.Equal(Encoding.UTF8.GetBytes(id), server.Requests[1].RawHeader("Last-Event-ID"));
    }

    [Fact]
    public async Task The_initial_id_is_sent_with_the_first_request_also_over_a_callers_client_built_on_the_handler()
    {
        const string id = "\u00E9-\u2603-0";
        await using ScriptedServer server = await ScriptedServer.StartSequenceAsync("data: a\n\n", "data: b\n\n");
        using var http = new HttpClient(EventSourceClient.CreateHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };
        await using var reader = new SourceReader(Options(server, id, http));

        List<SseEvent> events = await reader.NextAsync(2);

        Assert.Equal([id, id], events.Select(e => e.LastEventId));
        Assert.Equal(Encoding.UTF8.GetBytes(id), server.Requests[0].RawHeader("Last-Event-ID"));
        Assert.Equal(Encoding.UTF8.GetBytes(id), server.Requests[1].RawHeader("Last-Event-ID"));
    }
}
