namespace Herald.Hub.Streams;

/// <summary>A stream id was used again: ids are single use, one per generation.</summary>
public sealed class TokenStreamExistsException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public TokenStreamExistsException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What happened.</param>
    public TokenStreamExistsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public TokenStreamExistsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The exception for <paramref name="streamId"/>, in the words the hub answers 409 with.</summary>
    internal static TokenStreamExistsException For(string streamId) =>
        new($"The stream id \"{streamId}\" was used before; stream ids are single use, so open a new one (a UUID) for every generation.");
}
