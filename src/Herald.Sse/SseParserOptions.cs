namespace Herald.Sse;

/// <summary>Settings of a <see cref="SseParser"/>.</summary>
public sealed class SseParserOptions
{
    /// <summary>
    /// The default <see cref="MaxEventSize"/>: 32 MiB, so that events of 16 MiB of data and more
    /// (real streams carry 14 MB ones) parse with room for the line being read.
    /// </summary>
    public const int DefaultMaxEventSize = 32 * 1024 * 1024;

    /// <summary>
    /// The most bytes one event may hold at once: its data buffer plus the line being read.
    /// Past it the parser throws <see cref="SseEventTooLargeException"/> instead of growing
    /// without bound.
    /// </summary>
    public int MaxEventSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = DefaultMaxEventSize;

    /// <summary>
    /// The last event ID string to start from: a client that reconnects passes the one it had, so
    /// that events without an <c>id</c> field keep reporting it, as a browser does.
    /// </summary>
    public string LastEventId
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            field = value;
        }
    } = string.Empty;

    internal static SseParserOptions Default { get; } = new();
}
