namespace Herald.Hub.Streams;

/// <summary>The hub has as many active streams as it allows (HeraldOptions.MaxActiveStreams).</summary>
public sealed class TokenStreamLimitException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public TokenStreamLimitException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What happened.</param>
    public TokenStreamLimitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public TokenStreamLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
