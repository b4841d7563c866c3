namespace Herald.Client;

/// <summary>
/// A response body whose reads fail when no byte arrives for the read timeout: a timer, armed
/// only while a read waits (so a slow consumer between reads never trips it), cancels the
/// connection. Any byte counts, so heartbeat comments keep the connection alive.
/// </summary>
internal sealed class ReadTimeoutStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly TimeSpan _timeout;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _connection;
    private volatile bool _timedOut;

    /// <param name="inner">The response body.</param>
    /// <param name="timeout">How long a read may wait for its first byte.</param>
    /// <param name="timeProvider">The clock of the timer.</param>
    /// <param name="connection">Cancelled when the timeout passes: it aborts the pending read.</param>
    public ReadTimeoutStream(Stream inner, TimeSpan timeout, TimeProvider timeProvider, CancellationTokenSource connection)
    {
        _inner = inner;
        _timeout = timeout;
        _connection = connection;
        _timer = timeProvider.CreateTimer(static state => ((ReadTimeoutStream)state!).OnTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Whether the timeout passed, which is what cancelled the connection.</summary>
    public bool TimedOut => _timedOut;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _timer.Change(_timeout, Timeout.InfiniteTimeSpan);
        try
        {
            return await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    // The client only reads asynchronously; a synchronous read has no timer to cancel it.
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);


    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _timer.Dispose();
        }

        base.Dispose(disposing);
    }

    private void OnTimeout()
    {
        _timedOut = true;
        try
        {
            _connection.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The connection ended and was cleaned up while the timer fired: nothing to cancel.
        }
    }
}
