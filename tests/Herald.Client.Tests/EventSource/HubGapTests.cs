namespace Herald.Client.Tests.EventSource;

/// <summary>Against a real Herald hub: a resume from an id the hub no longer has is reported as a gap.</summary>
public sealed class HubGapTests
{
    private const string Book = "https://example.com/books/1";

    [Fact]
    public async Task Resuming_from_an_id_the_hub_does_not_retain_yields_a_gap_then_the_replay()
    {
        await using HubHost hub = await HubHost.StartAsync(options => options.AllowAnonymous = true);
        string first = await hub.PublishAsync(Book, "first");
        await using var reader = new SourceReader(new EventSourceOptions
        {
            Url = new Uri(hub.SubscribeUrl(Book)),
            LastEventId = "urn:uuid:00000000-0000-0000-0000-000000000000",
        });

        SseEvent gap = await reader.NextAsync();
        SseEvent replayed = await reader.NextAsync();

        Assert.True(gap.IsGap);
        Assert.Equal(SseEvent.GapEventType, gap.Type);
        Assert.Contains("urn:uuid:00000000-0000-0000-0000-000000000000", gap.Data, StringComparison.Ordinal);
        // The notice carries no id: the last event ID stays the one asked for until the replay moves it.
        Assert.Equal("urn:uuid:00000000-0000-0000-0000-000000000000", gap.LastEventId);
        Assert.Equal(new SseEvent(SseEventKind.Event, "message", "first", first), replayed);

        string second = await hub.PublishAsync(Book, "second");
        Assert.Equal(new SseEvent(SseEventKind.Event, "message", "second", second), await reader.NextAsync());
        Assert.Equal(second, reader.Source.LastEventId);
    }
}
