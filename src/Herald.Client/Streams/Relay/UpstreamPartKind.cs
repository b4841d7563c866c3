namespace Herald.Client.Streams.Relay;

/// <summary>What an <see cref="UpstreamPart"/> is.</summary>
public enum UpstreamPartKind
{
    /// <summary>Text to append to the answer.</summary>
    Text,

    /// <summary>
    /// A part that is not answer text, relayed as a typed event: <c>tool-call</c>,
    /// <c>reasoning</c> or <c>refusal</c> (see <see cref="UpstreamPart.EventType"/>).
    /// </summary>
    Event,

    /// <summary>The upstream finished the answer normally: the last part.</summary>
    End,

    /// <summary>The upstream failed, broke off or could not be read: the last part.</summary>
    Error,
}
