namespace Herald.Hub.History.Sqlite;

public sealed partial class SqliteEventLog
{
    /// <inheritdoc />
    /// <remarks>The batch is one transaction: committed (and with <see cref="SqliteDurability.Full"/>
    /// synced) before this returns, or rolled back with nothing changed, generated ids included.</remarks>
    public async ValueTask<AppendOutcome[]> AppendAsync(IReadOnlyList<Update> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            return AppendLocked(updates);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private AppendOutcome[] AppendLocked(IReadOnlyList<Update> updates)
    {
        var outcomes = new AppendOutcome[updates.Count];
        if (updates.Count == 0)
        {
            return outcomes;
        }

        // Generated ids are set on the updates only after the commit, so a failed batch leaves
        // its updates as they came.
        string?[] generatedIds = new string?[updates.Count];
        long sequence = _lastSequence;
        long milliseconds = Math.Max(_lastMilliseconds, _time.GetUtcNow().ToUnixTimeMilliseconds());
        long addedBytes = 0;
        _statements.BeginAppend();
        try
        {
            for (int i = 0; i < outcomes.Length; i++)
            {
                Update update = updates[i];
                string topic = update.Topics[0];
                string? alternates = TopicCodec.EncodeAlternates(update.Topics);
                long size = TopicCodec.SizeOf(update);
                if (update.Id is { } id)
                {
                    // The tail answers most retried publishes without a statement; the unique
                    // index answers the rest, including a repeat earlier in this batch.
                    if (_recent.TryFind(id, out long stored))
                    {
                        outcomes[i] = new AppendOutcome(stored, Duplicate: true);
                    }
                    else if (_statements.TryInsert(sequence + 1, milliseconds, size, update, id, topic, alternates))
                    {
                        outcomes[i] = new AppendOutcome(++sequence, Duplicate: false);
                        addedBytes += size;
                    }
                    else
                    {
                        outcomes[i] = new AppendOutcome(_statements.StoredSequence(id), Duplicate: true);
                    }

                    continue;
                }

                sequence++;
                string generated = HubIds.Create(sequence, milliseconds);

                // A publisher may have chosen an id of the generated form; moving the time on a
                // millisecond finds a free one and keeps the ids ordered.
                while (!_statements.TryInsert(sequence, milliseconds, size, update, generated, topic, alternates))
                {
                    generated = HubIds.Create(sequence, ++milliseconds);
                }

                generatedIds[i] = generated;
                outcomes[i] = new AppendOutcome(sequence, Duplicate: false);
                addedBytes += size;
            }

            if (sequence == _lastSequence)
            {
                // Only duplicates: nothing to commit.
                _statements.RollbackAppend();
                return outcomes;
            }

            _statements.AdvanceMeta(sequence, milliseconds, addedBytes);
            _statements.CommitAppend();
        }
        catch
        {
            _statements.RollbackAppend();
            throw;
        }

        long firstNew = _lastSequence + 1;
        for (int i = 0; i < outcomes.Length; i++)
        {
            if (generatedIds[i] is { } generated)
            {
                updates[i].Id = generated;
            }

            if (!outcomes[i].Duplicate)
            {
                _recent.Add(new LoggedUpdate(outcomes[i].Sequence, updates[i]));
                _newestId = updates[i].Id;
            }
        }

        if (Volatile.Read(ref _oldestSequence) == 0)
        {
            Volatile.Write(ref _oldestSequence, firstNew);
        }

        Volatile.Write(ref _lastSequence, sequence);
        _lastMilliseconds = milliseconds;
        Volatile.Write(ref _totalBytes, _totalBytes + addedBytes);
        return outcomes;
    }
}
