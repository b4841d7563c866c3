using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Herald.Hub.History.Sqlite;

public sealed partial class SqliteEventLog
{
    private int _retentionPasses;

    /// <summary>How many background retention passes have ended (for tests that drive the timer).</summary>
    internal int RetentionPasses => Volatile.Read(ref _retentionPasses);

    /// <summary>
    /// Deletes the oldest updates past the count, age and size limits, a chunk of at most
    /// <see cref="SqliteEventLogOptions.RetentionChunkSize"/> rows per transaction. Each chunk
    /// takes the write gate on its own, so an append waits for one short chunk at most and the
    /// deletions interleave with publishing.
    /// </summary>
    /// <returns>How many updates were deleted.</returns>
    internal async Task<long> EnforceRetentionAsync(CancellationToken cancellationToken = default)
    {
        long deleted = 0;
        while (true)
        {
            await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            int chunk;
            try
            {
                ObjectDisposedException.ThrowIf(_disposed != 0, this);
                chunk = DeleteOldestChunk();
            }
            finally
            {
                _writeGate.Release();
            }

            if (chunk == 0)
            {
                return deleted;
            }

            deleted += chunk;
        }
    }

    /// <summary>Deletes the oldest rows that break a limit, from the oldest up to one chunk.</summary>
    /// <returns>How many rows were deleted; 0 when every limit holds.</returns>
    private int DeleteOldestChunk()
    {
        long oldest = _oldestSequence;
        if (oldest == 0)
        {
            return 0;
        }

        long windowEnd = Math.Min(_lastSequence, oldest + _retentionChunkSize - 1);

        // Sequences are contiguous from the oldest retained to the last: retention deletes only
        // from the oldest end and a duplicate takes no sequence. So the count is a subtraction.
        long countThrough = _maxEvents > 0 ? oldest - 1 + (_lastSequence - oldest + 1 - _maxEvents) : 0;
        long cutoffMilliseconds = _maxAge > TimeSpan.Zero ? (_time.GetUtcNow() - _maxAge).ToUnixTimeMilliseconds() : long.MinValue;
        long excessBytes = _maxBytes > 0 ? _totalBytes - _maxBytes : 0;

        long through = oldest - 1;
        long freedBytes = 0;
        using (SqliteTransaction transaction = _statements.BeginRetention())
        {
            // Commit times grow with the sequence, so the first row that breaks no limit ends the chunk.
            using (SqliteDataReader window = _statements.ReadWindow(oldest, windowEnd))
            {
                while (window.Read())
                {
                    long sequence = window.GetInt64(0);
                    bool breaksLimit = sequence <= countThrough || window.GetInt64(1) < cutoffMilliseconds || freedBytes < excessBytes;
                    if (!breaksLimit)
                    {
                        break;
                    }

                    through = sequence;
                    freedBytes += window.GetInt64(2);
                }
            }

            if (through < oldest)
            {
                return 0;
            }

            _statements.Delete(oldest, through, freedBytes);
            transaction.Commit();
        }

        Volatile.Write(ref _oldestSequence, through < _lastSequence ? through + 1 : 0);
        Volatile.Write(ref _totalBytes, _totalBytes - freedBytes);
        _recent.RemoveThrough(through);
        if (through >= _lastSequence)
        {
            _newestId = null;
        }

        return (int)(through - oldest + 1);
    }

    /// <summary>One pass at start-up (a store reopened after a long stop may be past its limits),
    /// then one per interval of the injected clock. A failed pass is logged and retried at the next.</summary>
    private async Task RunRetentionAsync(TimeSpan interval, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            do
            {
                try
                {
                    long deleted = await EnforceRetentionAsync(stopping).ConfigureAwait(false);
                    if (deleted > 0)
                    {
                        SqliteEventLogMessages.Evicted(_logger, deleted, DatabasePath);
                    }
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // A failed pass must not end retention: the next tick tries again.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    SqliteEventLogMessages.RetentionFailed(_logger, exception, DatabasePath);
                }

                Interlocked.Increment(ref _retentionPasses);
            }
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }
}
