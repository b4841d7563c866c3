namespace Herald.Sse;

/// <summary>
/// Thrown when one event (its data plus the line being read) grows past
/// <see cref="SseParserOptions.MaxEventSize"/>. The parser cannot go on after it.
/// </summary>
public sealed class SseEventTooLargeException : Exception
{
    /// <summary>Creates the exception for the given limit.</summary>
    /// <param name="maxEventSize">The limit, in bytes, that was exceeded.</param>
    public SseEventTooLargeException(int maxEventSize)
        : base($"An event in the text/event-stream exceeds the maximum event size of {maxEventSize:N0} bytes.")
    {
        MaxEventSize = maxEventSize;
    }

    /// <summary>The limit, in bytes, that was exceeded.</summary>
    public int MaxEventSize { get; }
}
