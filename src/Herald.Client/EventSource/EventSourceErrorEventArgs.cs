namespace Herald.Client;

/// <summary>
/// Data of <see cref="EventSourceClient.Error"/>: a connection was lost or an attempt failed, and
/// the client will try again after <see cref="RetryDelay"/>.
/// </summary>
public sealed class EventSourceErrorEventArgs : EventArgs
{
    internal EventSourceErrorEventArgs(Exception? exception, TimeSpan retryDelay, int failureCount)
    {
        Exception = exception;
        RetryDelay = retryDelay;
        FailureCount = failureCount;
    }

    /// <summary>
    /// What went wrong: <see langword="null"/> when the server ended the stream cleanly; a
    /// <see cref="TimeoutException"/> when nothing arrived within <see cref="EventSourceOptions.ReadTimeout"/>;
    /// an <see cref="EventSourceResponseException"/> for a retried 5xx or 429; otherwise the
    /// network error (<see cref="HttpRequestException"/>, <see cref="IOException"/>).
    /// </summary>
    public Exception? Exception { get; }

    /// <summary>How long the client waits before the next attempt.</summary>
    public TimeSpan RetryDelay { get; }

    /// <summary>How many attempts in a row have failed, this one included; 1 after a healthy connection.</summary>
    public int FailureCount { get; }
}
