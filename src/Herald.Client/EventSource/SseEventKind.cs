namespace Herald.Client;

/// <summary>What an <see cref="SseEvent"/> is.</summary>
public enum SseEventKind
{
    /// <summary>An event dispatched by the stream.</summary>
    Event,

    /// <summary>
    /// A Herald hub's gap notice (<c>event: herald-reset</c>): the id the client resumed from is
    /// no longer retained, so events were missed and the replay starts elsewhere. Its data is a
    /// JSON object that says why and from where.
    /// </summary>
    Gap,

    /// <summary>A comment line, such as a heartbeat; reported only with <see cref="EventSourceOptions.IncludeComments"/>.</summary>
    Comment,
}
