namespace Herald.Client.Streams;

/// <summary>Where a token stream is in its life, as the hub's <c>herald-stream</c> events say.</summary>
public enum TokenStreamStatus
{
    /// <summary>The producer is writing: the stream's first lifecycle event.</summary>
    Active,

    /// <summary>The producer ended its body cleanly: every token was delivered.</summary>
    Done,

    /// <summary>The producer failed it, broke off, stayed silent too long or sent an event over the size limit.</summary>
    Error,

    /// <summary>Someone stopped it through the cancel endpoint.</summary>
    Cancelled,
}
