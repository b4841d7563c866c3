namespace Herald.Client.Streams.Relay;

/// <summary>Turns one upstream format's events into <see cref="UpstreamPart"/>s.</summary>
internal interface IUpstreamAdapter
{
    /// <summary>
    /// Reads the next upstream event and adds what it means to <paramref name="parts"/>: nothing
    /// for keep-alives and metadata, and at most one final part, after which nothing more is read.
    /// </summary>
    /// <exception cref="System.Text.Json.JsonException">The event's data is not JSON.</exception>
    void Read(SseEvent item, List<UpstreamPart> parts);

    /// <summary>The final part for an upstream that ended cleanly before sending one of its own.</summary>
    UpstreamPart Complete();
}
