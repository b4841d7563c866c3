namespace Herald.Client;

/// <summary>Where an <see cref="EventSourceClient"/> is in its life, as a browser's <c>EventSource.readyState</c>.</summary>
public enum EventSourceState
{
    /// <summary>Not connected yet, or waiting to reconnect, or sending the request.</summary>
    Connecting,

    /// <summary>A <c>200 text/event-stream</c> response is being read.</summary>
    Open,

    /// <summary>Closed for good: by the caller, by an HTTP 204, or by an error that is not retried.</summary>
    Closed,
}
