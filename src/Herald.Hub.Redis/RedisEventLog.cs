using System.Globalization;
using Herald.Hub.History;
using StackExchange.Redis;

namespace Herald.Hub.Redis;

/// <summary>
/// The hub's history in one Redis stream, shared by every hub node with the same
/// <see cref="RedisEventLogOptions.Prefix"/>: a publish on any node is one atomic script
/// (<see cref="AppendScript"/>: <c>XADD</c> with <c>MAXLEN ~</c>, the id index, idempotency by
/// id), and each node follows the stream with a blocking <c>XREAD</c> on a connection of its own
/// and delivers to its own subscribers. The stream's entry ids are the log sequences
/// (<c>0-1</c>, <c>0-2</c>, ...), so ids, sequences and order are the same on every node and a
/// subscriber resumes on any of them.
/// </summary>
/// <remarks>
/// An update is acknowledged when Redis has run the script: it is as durable as Redis's own
/// persistence (<c>appendonly yes</c> with <c>appendfsync always</c> loses nothing acknowledged).
/// While Redis cannot be reached every command fails at once, so publishes answer 503 rather than
/// wait; the hub's follower retries, and catches its subscribers up in order when Redis returns.
/// </remarks>
public sealed class RedisEventLog : ISharedEventLog, IDisposable
{
    private readonly RedisEventLogOptions _options;
    private readonly TimeProvider _time;
    private readonly ConnectionMultiplexer _commands;
    private readonly ConnectionMultiplexer _follower;
    private readonly RedisKey[] _appendKeys;
    private readonly RedisKey _stream;
    private readonly RedisKey _ids;
    private readonly RecentUpdates _recent;
    private readonly string _followWait;
    private readonly string _followBatch;

    /// <summary>Connects to Redis. The start does not fail while Redis is down: the log reports
    /// <see cref="IsReachable"/> false and its commands fail until Redis answers.</summary>
    /// <param name="options">Where Redis is, the key prefix and retention.</param>
    /// <param name="time">The clock for generated ids; the system clock by default.</param>
    /// <exception cref="ArgumentException">The configuration cannot be read.</exception>
    public RedisEventLog(RedisEventLogOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Prefix);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.FollowBatch);
        _options = options;
        _time = time ?? TimeProvider.System;
        _recent = new RecentUpdates(options.RecentCapacity);

        // One hash slot for every key ({prefix}), so the script may touch them all on a cluster.
        string tag = "{" + options.Prefix + "}";
        _stream = tag + ":events";
        _ids = tag + ":ids";
        _appendKeys = [_stream, _ids, tag + ":clock"];
        _followBatch = options.FollowBatch.ToString(CultureInfo.InvariantCulture);
        _followWait = ((long)Math.Max(1, options.FollowWait.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);

        _commands = ConnectionMultiplexer.Connect(RedisConfiguration.Parse(options.Configuration, options.CommandTimeout, "herald"));

        // The blocking read holds its connection for up to FollowWait: it gets one of its own, and
        // a timeout that outlasts the wait.
        _follower = ConnectionMultiplexer.Connect(RedisConfiguration.Parse(options.Configuration, options.CommandTimeout + options.FollowWait, "herald-follow"));
    }

    /// <inheritdoc />
    public bool IsReachable => _commands.IsConnected && _follower.IsConnected;

    /// <inheritdoc />
    public string? LastEventId => _recent.Newest?.Update.Id;

    /// <summary>What every key of this hub starts with: the prefix as a hash tag, so all of them
    /// share one slot.</summary>
    internal string KeyTag => "{" + _options.Prefix + "}";

    /// <summary>The commands connection, shared with the hub's other Redis state (presence).</summary>
    internal IDatabase Database => _commands.GetDatabase();

    /// <summary>The key of the stream, for tools that read it.</summary>
    public string StreamKey => _stream.ToString();

    /// <inheritdoc />
    public async ValueTask<AppendOutcome[]> AppendAsync(IReadOnlyList<Update> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        cancellationToken.ThrowIfCancellationRequested();
        var arguments = new RedisValue[3 + (updates.Count * AppendScript.FieldsPerUpdate)];
        arguments[0] = _options.MaxLength;
        arguments[1] = _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        arguments[2] = updates.Count;
        int a = 3;
        foreach (Update update in updates)
        {
            string? id = update.Id;
            long idSequence = 0, idMilliseconds = 0;
            bool generatedShape = id is not null && HubIds.TryParse(id, out idSequence, out idMilliseconds);
            arguments[a++] = id ?? string.Empty;
            arguments[a++] = generatedShape ? idSequence.ToString(CultureInfo.InvariantCulture) : string.Empty;
            arguments[a++] = generatedShape ? idMilliseconds.ToString(CultureInfo.InvariantCulture) : string.Empty;
            arguments[a++] = update.Topic;
            arguments[a++] = TopicCodec.EncodeAlternates(update.Topics) ?? string.Empty;
            arguments[a++] = update.Data;
            arguments[a++] = update.Type ?? string.Empty;
            arguments[a++] = update.Retry is { } retry ? retry.ToString(CultureInfo.InvariantCulture) : string.Empty;
            arguments[a++] = update.IsPrivate ? "1" : string.Empty;
        }

        RedisResult result = await _commands.GetDatabase().ScriptEvaluateAsync(AppendScript.Text, _appendKeys, arguments).ConfigureAwait(false);
        var replies = (RedisResult[])result!;
        var outcomes = new AppendOutcome[updates.Count];
        for (int i = 0; i < outcomes.Length; i++)
        {
            long sequence = (long)replies[2 * i];
            long milliseconds = (long)replies[(2 * i) + 1];
            outcomes[i] = new AppendOutcome(sequence, Duplicate: milliseconds < 0);
            if (milliseconds >= 0)
            {
                updates[i].Id ??= HubIds.Create(sequence, milliseconds);
            }
        }

        return outcomes;
    }

    /// <inheritdoc />
    public async ValueTask<HistoryCursor> FindAsync(string lastEventId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lastEventId);
        if (lastEventId == HistoryCursor.Earliest)
        {
            return new HistoryCursor(true, 0);
        }

        if (_recent.TryFind(lastEventId, out long recent))
        {
            return new HistoryCursor(true, recent);
        }

        IDatabase database = _commands.GetDatabase();
        if (await database.SortedSetScoreAsync(_ids, lastEventId).ConfigureAwait(false) is { } score)
        {
            return new HistoryCursor(true, (long)score);
        }

        if (HubIds.TryParse(lastEventId, out long sequence, out long milliseconds))
        {
            // A generated id is not indexed: the entry at its sequence must have no id of its own
            // and the time the id carries.
            StreamEntry[] entries = await database.StreamRangeAsync(_stream, EntryId(sequence), EntryId(sequence)).ConfigureAwait(false);
            if (entries.Length == 1 && entries[0]["i"].IsNull && (long)entries[0]["m"] == milliseconds)
            {
                return new HistoryCursor(true, sequence);
            }
        }

        return HistoryCursor.NotFound;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<LoggedUpdate>> ReadAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);

        // The memory tail may be behind the stream (it is filled as this node follows), so only a
        // page it actually holds is served from it; past its newest, Redis says what is there.
        if (_recent.TryRead(afterSequence, limit) is { Count: > 0 } fromMemory)
        {
            return fromMemory;
        }

        StreamEntry[] entries = await _commands.GetDatabase()
            .StreamRangeAsync(_stream, "(" + EntryId(afterSequence), "+", limit)
            .ConfigureAwait(false);
        var page = new LoggedUpdate[entries.Length];
        for (int i = 0; i < page.Length; i++)
        {
            page[i] = RedisStreamEntry.Read(entries[i].Id, entries[i].Values);
        }

        return page;
    }

    /// <inheritdoc />
    public async ValueTask<long> GetLastSequenceAsync(CancellationToken cancellationToken)
    {
        IDatabase database = _commands.GetDatabase();
        if (!await database.KeyExistsAsync(_stream).ConfigureAwait(false))
        {
            return 0;
        }

        StreamInfo info = await database.StreamInfoAsync(_stream).ConfigureAwait(false);
        return RedisStreamEntry.SequenceOf(info.LastGeneratedId);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<LoggedUpdate>> FollowAsync(long afterSequence, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisResult result = await _follower.GetDatabase()
            .ExecuteAsync("XREAD", "COUNT", _followBatch, "BLOCK", _followWait, "STREAMS", _stream, EntryId(afterSequence))
            .WaitAsync(cancellationToken) // The client takes no token: a stopping hub does not wait out the block.
            .ConfigureAwait(false);
        if (result.IsNull)
        {
            return [];
        }

        // [[stream, [[id, [field, value, ...]], ...]]]
        var entries = (RedisResult[])((RedisResult[])((RedisResult[])result!)[0]!)[1]!;
        var page = new LoggedUpdate[entries.Length];
        for (int i = 0; i < page.Length; i++)
        {
            var entry = (RedisResult[])entries[i]!;
            page[i] = RedisStreamEntry.Read((string)entry[0]!, (RedisResult[])entry[1]!);
        }

        Remember(page);
        return page;
    }

    /// <summary>Adds what was followed to the memory tail, which must stay contiguous: after a
    /// jump (a gap, or a Redis that came back with fewer updates) what it held is dropped.</summary>
    private void Remember(LoggedUpdate[] page)
    {
        if (page.Length == 0)
        {
            return;
        }

        if (_recent.Newest is { } newest && page[0].Sequence != newest.Sequence + 1)
        {
            _recent.RemoveThrough(long.MaxValue);
        }

        foreach (LoggedUpdate logged in page)
        {
            _recent.Add(logged);
        }
    }

    private static string EntryId(long sequence) => "0-" + sequence.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public void Dispose()
    {
        _follower.Dispose();
        _commands.Dispose();
    }
}
