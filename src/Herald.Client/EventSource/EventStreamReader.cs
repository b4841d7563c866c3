using Herald.Sse;

namespace Herald.Client;

/// <summary>
/// Reads one open connection with a fresh <see cref="SseParser"/> seeded with the last event ID,
/// and turns the ways a connection ends into state the client's loop can look at: the loop is an
/// async iterator, which cannot catch around a <c>yield</c>.
/// </summary>
internal sealed class EventStreamReader : IAsyncDisposable
{
    private readonly SseParser _parser;
    private readonly Stream _body;
    private readonly ReadTimeoutStream? _timeoutBody;
    private readonly IAsyncEnumerator<SseItem> _items;

    public EventStreamReader(Stream body, SseParserOptions parserOptions, TimeSpan? readTimeout, TimeProvider timeProvider, CancellationTokenSource connection)
    {
        _parser = new SseParser(parserOptions);
        _body = body;
        if (readTimeout is { } timeout)
        {
            _timeoutBody = new ReadTimeoutStream(body, timeout, timeProvider, connection);
        }

        _items = _parser.ReadAsync(_timeoutBody ?? body, connection.Token).GetAsyncEnumerator(connection.Token);
    }

    /// <summary>The item <see cref="ReadAsync"/> just returned.</summary>
    public SseItem Current => _items.Current;

    /// <summary>The last event ID string after everything parsed so far (an unfinished event never sets it).</summary>
    public string LastEventId => _parser.LastEventId;

    /// <summary>The reconnection time the stream set with <c>retry:</c>, if it did.</summary>
    public long? Retry => _parser.Retry;

    /// <summary>Whether the read timeout ended the connection.</summary>
    public bool TimedOut => _timeoutBody?.TimedOut ?? false;

    /// <summary>Why the connection ended, if it did not end cleanly.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Reads the next item; false when the connection ended, cleanly or not.</summary>
    /// <exception cref="SseEventTooLargeException">An event outgrew the size limit: it closes the source.</exception>
    public async ValueTask<bool> ReadAsync()
    {
        try
        {
            return await _items.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException or OperationCanceledException)
        {
            Failure = exception;
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _items.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException or OperationCanceledException)
        {
            // Ending an enumeration of a broken connection: nothing left to read or report.
        }

        if (_timeoutBody is not null)
        {
            await _timeoutBody.DisposeAsync().ConfigureAwait(false);
        }

        await _body.DisposeAsync().ConfigureAwait(false);
        _parser.Dispose();
    }
}
