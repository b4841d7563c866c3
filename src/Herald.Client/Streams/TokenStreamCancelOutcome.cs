namespace Herald.Client.Streams;

/// <summary>What a cancel request did.</summary>
public enum TokenStreamCancelOutcome
{
    /// <summary>The stream was active and is now cancelled (202).</summary>
    Cancelled,

    /// <summary>The hub does not know the stream (404): not started, or no longer retained.</summary>
    NotFound,

    /// <summary>The stream had already finished (409); <see cref="TokenStreamCancelResult.Status"/> says how.</summary>
    AlreadyFinished,
}
