using System.Buffers;
using System.IO.Pipelines;
using Herald.Sse;

namespace Herald.Client.Streams;

/// <summary>
/// The producer's end of a token stream, from <see cref="TokenStreamClient.OpenAsync"/>: write
/// tokens and typed events, then <see cref="CompleteAsync"/> (or <see cref="FailAsync"/>), and
/// watch <see cref="Cancelled"/> in case a reader stops the stream.
/// </summary>
/// <remarks>
/// <para>
/// A write encodes the event into a pipe and returns once the pipe accepted it; a pump sends what
/// the pipe holds as one chunk of the request body and flushes. A slow producer therefore sends
/// each token as it comes, and a fast one sends whatever piled up during the previous send in one
/// go. The pipe holds at most 64 KiB, so a producer faster than the network waits.
/// </para>
/// <para>
/// Writes are taken one at a time (concurrent calls wait their turn). <see cref="Cancelled"/>,
/// <see cref="CancelReason"/> and <see cref="StreamId"/> may be read from any thread.
/// </para>
/// </remarks>
public sealed class TokenStreamWriter : IAsyncDisposable
{
    /// <summary>The reason <see cref="DisposeAsync"/> fails a stream that was neither completed nor failed.</summary>
    public const string AbandonedReason = "the producer ended without completing";

    private const string ErrorEventType = "herald-error";
    private const string CancelEventType = "herald-cancel";

    /// <summary>How long <see cref="DisposeAsync"/> waits for the hub's final event of an abandoned stream.</summary>
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(10);

    // A comment line: the hub counts it as a sign of life and otherwise ignores it.
    private static readonly ReadOnlySequence<byte> KeepAlive = new(":\n"u8.ToArray());

    private readonly Http1Connection _connection;
    private readonly Stream _response;
    private readonly Pipe _pipe = new(new PipeOptions(useSynchronizationContext: false));
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly CancellationTokenSource _cancelled = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource<bool> _activated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<TokenStreamSummary> _final = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer? _keepAliveTimer;
    private readonly Task _responseTask;
    private readonly Task _pumpTask;

    // Guarded by _writeGate: the producer said how the stream ends (complete, fail or dispose).
    private bool _ended;
    private int _disposed;
    private volatile Exception? _connectionFailure;
    private volatile string? _cancelReason;

    internal TokenStreamWriter(string streamId, Http1Connection connection, Stream response, TokenStreamClientOptions options)
    {
        StreamId = streamId;
        _connection = connection;
        _response = response;
        _responseTask = Task.Run(ReadResponseAsync);
        _pumpTask = Task.Run(PumpAsync);
        if (options.KeepAliveInterval is { } interval)
        {
            // The pump owns the request body, so the timer only wakes it; the pump decides whether
            // the interval was silent and a comment is due.
            _keepAliveTimer = options.TimeProvider.CreateTimer(KeepAliveTick, _pipe.Reader, interval, interval);
        }
    }

    /// <summary>The stream this writer produces.</summary>
    public string StreamId { get; }

    /// <summary>
    /// Fires when someone cancels the stream (the hub's control channel carried
    /// <c>herald-cancel</c>): stop generating and call <see cref="CompleteAsync"/>. From then on
    /// the hub discards what the producer sends, so writes are dropped without an error.
    /// </summary>
    public CancellationToken Cancelled => _cancelled.Token;

    /// <summary>The reason the canceller gave, once <see cref="Cancelled"/> has fired (if it gave one).</summary>
    public string? CancelReason => _cancelReason;

    /// <summary>Writes a token: text readers append to the answer. Multi-line text is kept.</summary>
    /// <param name="token">The text.</param>
    /// <param name="cancellationToken">Stops waiting for room in the pipe; the token may or may not have been sent.</param>
    /// <exception cref="InvalidOperationException">The writer was completed, failed or disposed.</exception>
    /// <exception cref="TokenStreamEndedException">The hub ended the stream or the connection broke: stop generating.</exception>
    /// <returns>A task that completes when the token is on its way.</returns>
    public ValueTask WriteAsync(string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        return WriteCoreAsync(type: null, token, cancellationToken);
    }

    /// <summary>Writes a typed event (a tool call, a citation): readers receive it with its type; the hub never merges it with tokens.</summary>
    /// <param name="type">The event type: not empty, not <c>message</c> (that is a token), not starting with <c>herald-</c> (the hub's), no CR, LF or NUL.</param>
    /// <param name="data">The event data.</param>
    /// <param name="cancellationToken">Stops waiting for room in the pipe; the event may or may not have been sent.</param>
    /// <exception cref="ArgumentException">The type is not allowed.</exception>
    /// <inheritdoc cref="WriteAsync" path="/exception"/>
    /// <returns>A task that completes when the event is on its way.</returns>
    public ValueTask WriteEventAsync(string type, string data, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(data);
        if (type == SseItem.DefaultEventType || type.StartsWith("herald-", StringComparison.Ordinal))
        {
            throw new ArgumentException($"\"{type}\" is not a type a producer may use: \"message\" is what a token arrives as, and herald-* types are the hub's.", nameof(type));
        }

        if (SseEncoder.DescribeInvalidField(type, "type") is { } invalid)
        {
            throw new ArgumentException(invalid, nameof(type));
        }

        return WriteCoreAsync(type, data, cancellationToken);
    }

    /// <summary>
    /// Ends the request body cleanly and waits for the hub's final word: <see cref="TokenStreamStatus.Done"/>,
    /// or <see cref="TokenStreamStatus.Cancelled"/> after a cancel, or <see cref="TokenStreamStatus.Error"/>
    /// if the hub had ended the stream.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the hub's answer; the body has ended all the same.</param>
    /// <returns>The hub's summary of the stream.</returns>
    /// <exception cref="InvalidOperationException">The writer was already completed, failed or disposed.</exception>
    /// <exception cref="TokenStreamEndedException">The connection broke before the hub's final event arrived.</exception>
    public Task<TokenStreamSummary> CompleteAsync(CancellationToken cancellationToken = default) =>
        EndAsync(reason: null, cancellationToken);

    /// <summary>
    /// Ends the stream as <see cref="TokenStreamStatus.Error"/> (an <c>event: herald-error</c> with
    /// the reason, then the end of the body) and waits for the hub's final word.
    /// </summary>
    /// <param name="reason">Why the generation failed; readers receive it.</param>
    /// <param name="cancellationToken">Stops waiting for the hub's answer.</param>
    /// <returns>The hub's summary: <see cref="TokenStreamStatus.Error"/>, or how the stream had ended already (a cancel).</returns>
    /// <inheritdoc cref="CompleteAsync" path="/exception"/>
    public Task<TokenStreamSummary> FailAsync(string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return EndAsync(reason, cancellationToken);
    }

    /// <summary>
    /// Fails the stream with <see cref="AbandonedReason"/> if it was neither completed nor failed
    /// (waiting a few seconds at most for the hub's answer), then closes the connection.
    /// </summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using (var bound = new CancellationTokenSource(DisposeWait))
        {
            try
            {
                await EndAsync(AbandonedReason, bound.Token, abandoning: true).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is TokenStreamEndedException or OperationCanceledException or InvalidOperationException)
            {
                // Nothing more to tell the hub: it ends a stream whose producer went away as an error.
            }
        }

        await CloseAsync().ConfigureAwait(false);
        _writeGate.Dispose();
    }

    /// <summary>Waits for the stream's first lifecycle event; false when the hub ended the stream at once.</summary>
    internal Task<bool> WaitActiveAsync(CancellationToken cancellationToken) => _activated.Task.WaitAsync(cancellationToken);

    /// <summary>The hub's summary, when the stream ended before <see cref="TokenStreamClient.OpenAsync"/> returned.</summary>
    internal Task<TokenStreamSummary> Final => _final.Task;

    /// <summary>Closes the connection without a word to the hub: for a writer that never reached its caller.</summary>
    internal async ValueTask CloseAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        if (_keepAliveTimer is not null)
        {
            await _keepAliveTimer.DisposeAsync().ConfigureAwait(false);
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        // Both tasks catch everything: the closed connection ends them, and what they saw no longer matters.
        await Task.WhenAll(_responseTask, _pumpTask).ConfigureAwait(false);
        _closing.Dispose();
    }

    private async ValueTask WriteCoreAsync(string? type, string data, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            if (_ended)
            {
                throw new InvalidOperationException($"Stream {StreamId} was already completed or failed; nothing more can be written.");
            }

            if (StreamEndedByOthers())
            {
                return;
            }

            SseEncoder.WriteEvent(_pipe.Writer, data, type);
            FlushResult flush = await _pipe.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flush.IsCompleted)
            {
                // The pump stopped: the connection broke or the hub ended the response.
                StreamEndedByOthers();
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Whether the stream was cancelled (then writes are dropped: the hub discards them anyway);
    /// throws when the hub ended it otherwise or the connection broke.
    /// </summary>
    private bool StreamEndedByOthers()
    {
        if (_cancelled.IsCancellationRequested)
        {
            return true;
        }

        if (_final.Task.IsCompletedSuccessfully)
        {
            throw new TokenStreamEndedException(StreamId, _final.Task.Result, null);
        }

        if (_connectionFailure is { } failure)
        {
            throw new TokenStreamEndedException(StreamId, null, failure);
        }

        return false;
    }

    private async Task<TokenStreamSummary> EndAsync(string? reason, CancellationToken cancellationToken, bool abandoning = false)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ended)
            {
                if (abandoning)
                {
                    // Completed or failed before: let the hub's answer arrive before the connection closes.
                    return await _final.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                throw new InvalidOperationException($"Stream {StreamId} was already completed or failed.");
            }

            ObjectDisposedException.ThrowIf(_disposed != 0 && !abandoning, this);
            _ended = true;
            if (reason is not null && !_cancelled.IsCancellationRequested && _connectionFailure is null && !_final.Task.IsCompleted)
            {
                SseEncoder.WriteEvent(_pipe.Writer, reason, ErrorEventType);
            }

            // Completing the pipe makes the pump send what is left and then the body's last chunk.
            await _pipe.Writer.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }

        await _pumpTask.WaitAsync(cancellationToken).ConfigureAwait(false);
        // The hub's final event may arrive even if the body could not be finished (it ended the
        // stream and closed first), so the answer comes from the response either way.
        return await _final.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Copies the pipe into the request body, a chunk and a flush per read, and ends the body when the pipe completes.</summary>
    private async Task PumpAsync()
    {
        PipeReader reader = _pipe.Reader;
        bool sentSinceTick = false;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync(_closing.Token).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    await _connection.WriteChunkAsync(buffer, _closing.Token).ConfigureAwait(false);
                    sentSinceTick = true;
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }

                if (result.IsCanceled)
                {
                    // A keep-alive tick: a comment only when the whole interval was silent, and
                    // only while the stream is live (after its end the hub reads no more).
                    if (!sentSinceTick && !_cancelled.IsCancellationRequested && !_final.Task.IsCompleted)
                    {
                        await _connection.WriteChunkAsync(KeepAlive, _closing.Token).ConfigureAwait(false);
                    }

                    sentSinceTick = false;
                }
            }

            await _connection.EndBodyAsync(_closing.Token).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // A write that failed after the hub ended the stream is no news; anything else is.
            if (!_final.Task.IsCompleted && !_closing.IsCancellationRequested)
            {
                _connectionFailure ??= exception;
            }
        }
        finally
        {
            // A producer waiting for room in the pipe is released, and learns why from the state above.
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reads the control channel: the first lifecycle event, cancels, and the final lifecycle event.</summary>
    private async Task ReadResponseAsync()
    {
        Exception? failure = null;
        try
        {
            using var parser = new SseParser();
            await foreach (SseItem item in parser.ReadAsync(_response, _closing.Token).ConfigureAwait(false))
            {
                if (!item.IsEvent)
                {
                    continue;
                }

                if (item.Type == TokenStreamItem.LifecycleEventType)
                {
                    OnLifecycle(item.Data);
                }
                else if (item.Type == CancelEventType)
                {
                    OnCancel(TokenStreamJsonContext.ReadNotice(item.Data)?.Reason);
                }
            }
        }
        catch (Exception exception)
        {
            failure = exception;
        }

        if (!_final.Task.IsCompleted)
        {
            failure ??= new HttpIOException(HttpRequestError.ResponseEnded, "The hub ended its response without the stream's final herald-stream event.");
            if (!_closing.IsCancellationRequested)
            {
                _connectionFailure ??= failure;
            }

            _activated.TrySetException(new TokenStreamEndedException(StreamId, null, failure));
            _final.TrySetException(new TokenStreamEndedException(StreamId, null, failure));
        }
    }

    private void OnLifecycle(string data)
    {
        if (TokenStreamJsonContext.ReadNotice(data) is not { ParsedStatus: { } status } notice)
        {
            // A status this client does not know (a newer hub): not one it can act on.
            return;
        }

        if (status == TokenStreamStatus.Active)
        {
            _activated.TrySetResult(true);
            return;
        }

        if (status == TokenStreamStatus.Cancelled && !_cancelled.IsCancellationRequested)
        {
            // The final event of a cancelled stream implies the cancel, should the notice have been missed.
            _cancelReason ??= notice.Reason;
            _ = _cancelled.CancelAsync();
        }

        _final.TrySetResult(new TokenStreamSummary(StreamId, status, notice.Tokens ?? 0, notice.LastEventId, notice.Reason));
        _activated.TrySetResult(false);
    }

    private void OnCancel(string? reason)
    {
        _cancelReason = reason;
        // The producer's callbacks run on the thread pool: a slow one must not hold up this reader,
        // which still has to receive the final event.
        _ = _cancelled.CancelAsync();
    }

    private static void KeepAliveTick(object? state)
    {
        try
        {
            ((PipeReader)state!).CancelPendingRead();
        }
        catch (InvalidOperationException)
        {
            // The pump has finished: there is nothing left to keep alive.
        }
    }
}
