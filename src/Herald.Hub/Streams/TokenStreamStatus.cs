namespace Herald.Hub.Streams;

/// <summary>Where a token stream is in its life: active, then exactly one of the three ends.</summary>
public enum TokenStreamStatus
{
    /// <summary>The producer is writing tokens.</summary>
    Active,

    /// <summary>The producer completed the stream.</summary>
    Done,

    /// <summary>The producer failed it, disconnected, went silent, or the store failed.</summary>
    Error,

    /// <summary>Someone cancelled it.</summary>
    Cancelled,
}
