namespace Herald.Hub.Streams;

/// <summary>What a cancel found.</summary>
public enum TokenStreamCancelOutcome
{
    /// <summary>The stream was active; it is now cancelled and its producer told.</summary>
    Cancelled,

    /// <summary>The stream had already ended.</summary>
    AlreadyEnded,

    /// <summary>This hub has no producer for that stream (unknown, expired, or produced elsewhere).</summary>
    NotFound,
}
