using System.Globalization;
using Herald.Hub.History;
using Herald.Hub.History.Sqlite;
using static Herald.Hub.Tests.History.Sqlite.TempStore;

namespace Herald.Hub.Tests.History.Sqlite;

/// <summary>The same semantics as <see cref="MemoryEventLog"/>, on a real database file.</summary>
public sealed class SqliteEventLogTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Sequences_increase_and_reads_page_in_order_after_a_sequence()
    {
        using SqliteEventLog log = _store.Open();
        AppendOutcome[] outcomes = await AppendAsync(log, Event("1", "a"), Event("2", "b"), Event("3", "c"), Event("4", "d"));

        IReadOnlyList<LoggedUpdate> firstPage = await log.ReadAsync(0, 3, CancellationToken.None);
        IReadOnlyList<LoggedUpdate> rest = await log.ReadAsync(firstPage[^1].Sequence, 3, CancellationToken.None);

        Assert.Equal([1L, 2, 3, 4], outcomes.Select(o => o.Sequence));
        Assert.All(outcomes, o => Assert.False(o.Duplicate));
        Assert.Equal(["a", "b", "c"], firstPage.Select(u => u.Update.Id));
        Assert.Equal(["d"], rest.Select(u => u.Update.Id));
        Assert.Empty(await log.ReadAsync(rest[^1].Sequence, 3, CancellationToken.None));
        Assert.Equal("d", log.LastEventId);
        Assert.Equal(new HistoryCursor(true, 2), await log.FindAsync("b", CancellationToken.None));
        Assert.Equal(HistoryCursor.NotFound, await log.FindAsync("zzz", CancellationToken.None));
    }

    [Fact]
    public async Task Earliest_is_found_even_when_empty_and_an_empty_log_reads_nothing()
    {
        using SqliteEventLog log = _store.Open();
        Assert.Equal(new HistoryCursor(true, 0), await log.FindAsync(HistoryCursor.Earliest, CancellationToken.None));
        Assert.Null(log.LastEventId);
        Assert.Empty(await log.ReadAsync(0, 10, CancellationToken.None));
        Assert.Empty(await log.AppendAsync([], CancellationToken.None));
    }

    [Fact]
    public async Task An_id_already_stored_is_a_duplicate_in_a_later_batch_or_the_same_one()
    {
        using SqliteEventLog log = _store.Open();
        AppendOutcome[] first = await AppendAsync(log, Event("1", "x"));
        AppendOutcome[] second = await AppendAsync(log, Event("again", "x"), Event("2", "y"), Event("y again", "y"));

        Assert.Equal([new AppendOutcome(1, false)], first);
        Assert.Equal([new AppendOutcome(1, true), new AppendOutcome(2, false), new AppendOutcome(2, true)], second);
        Assert.Equal(["1", "2"], (await ReadAllAsync(log)).Select(u => u.Update.Data));
    }

    [Fact]
    public async Task Ids_out_of_the_in_memory_tail_are_still_duplicates_and_still_found()
    {
        using SqliteEventLog log = _store.Open(o => o.RecentCapacity = 2);
        await AppendAsync(log, Event("1", "old"));
        await AppendManyAsync(log, 5);

        AppendOutcome[] outcomes = await AppendAsync(log, Event("again", "old"), Event("new", "new"));

        Assert.Equal([new AppendOutcome(1, true), new AppendOutcome(7, false)], outcomes);
        Assert.Equal(new HistoryCursor(true, 1), await log.FindAsync("old", CancellationToken.None));
        Assert.Equal(7, (await ReadAllAsync(log)).Count);
    }

    [Fact]
    public async Task A_batch_of_duplicates_only_stores_nothing_and_takes_no_sequence()
    {
        using SqliteEventLog log = _store.Open();
        await AppendAsync(log, Event("1", "x"));
        Assert.Equal([new AppendOutcome(1, true)], await AppendAsync(log, Event("again", "x")));
        Assert.Equal([new AppendOutcome(2, false)], await AppendAsync(log, Event("2", "y")));
    }

    [Fact]
    public async Task Generated_ids_are_set_on_the_updates_and_sort_in_log_order()
    {
        using SqliteEventLog log = _store.Open();
        Update[] updates = [.. Enumerable.Range(0, 50).Select(i => Event(i.ToString(CultureInfo.InvariantCulture)))];
        await log.AppendAsync(updates[..25], CancellationToken.None);
        _store.Time.Advance(TimeSpan.FromMilliseconds(5));
        await log.AppendAsync(updates[25..], CancellationToken.None);

        string[] ids = [.. updates.Select(u => u.Id!)];
        Assert.All(ids, id => Assert.StartsWith(HubIds.Prefix, id, StringComparison.Ordinal));
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.Equal(ids, (await ReadAllAsync(log)).Select(u => u.Update.Id));
    }

    [Fact]
    public async Task A_publisher_id_that_takes_the_next_generated_id_moves_the_generated_one_on()
    {
        using SqliteEventLog log = _store.Open();
        long now = _store.Time.GetUtcNow().ToUnixTimeMilliseconds();
        string squatted = HubIds.Create(2, now);
        Update generated = Event("generated");
        AppendOutcome[] outcomes = await AppendAsync(log, Event("squatter", squatted), generated);

        Assert.Equal([new AppendOutcome(1, false), new AppendOutcome(2, false)], outcomes);
        Assert.NotEqual(squatted, generated.Id);
        Assert.True(string.CompareOrdinal(squatted, generated.Id) < 0);
        Assert.Equal(new HistoryCursor(true, 2), await log.FindAsync(generated.Id!, CancellationToken.None));
    }

    [Fact]
    public async Task A_cancelled_append_stores_nothing()
    {
        using SqliteEventLog log = _store.Open();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => log.AppendAsync([Event("1")], cancelled.Token).AsTask());
        Assert.Empty(await ReadAllAsync(log));
        Assert.Equal([new AppendOutcome(1, false)], await AppendAsync(log, Event("1")));
    }

    [Fact]
    public async Task A_batch_that_fails_is_rolled_back_whole_and_leaves_its_updates_unchanged()
    {
        using SqliteEventLog log = _store.Open();
        await AppendAsync(log, Event("1"));

        // Another connection adds a trigger that refuses one row: the store fails mid-batch.
        using (var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_store.DatabasePath};Pooling=False"))
        {
            other.Open();
            using Microsoft.Data.Sqlite.SqliteCommand trigger = other.CreateCommand();
            trigger.CommandText = "CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.data = 'boom' BEGIN SELECT RAISE(ABORT, 'refused'); END;";
            trigger.ExecuteNonQuery();
        }

        Update before = Event("2");
        Update withId = Event("3", "kept-out");
        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => log.AppendAsync([before, withId, Event("boom")], CancellationToken.None).AsTask());

        Assert.Null(before.Id);
        Assert.Equal(["1"], (await ReadAllAsync(log)).Select(u => u.Update.Data));
        Assert.Equal(HistoryCursor.NotFound, await log.FindAsync("kept-out", CancellationToken.None));
        Assert.Equal([new AppendOutcome(2, false), new AppendOutcome(3, false)], await AppendAsync(log, before, withId));
        Assert.Equal(6, log.RetainedBytes); // Three events of topic "t" and one data character each.
    }

    [Fact]
    public async Task Replay_past_the_in_memory_tail_reads_every_page_from_disk_in_order()
    {
        using SqliteEventLog log = _store.Open(o => o.RecentCapacity = 10);
        List<Update> appended = await AppendManyAsync(log, 1_000, batch: 64);

        List<LoggedUpdate> replayed = await ReadAllAsync(log, after: 0, page: 256);
        HistoryCursor middle = await log.FindAsync(appended[499].Id!, CancellationToken.None);
        List<LoggedUpdate> fromMiddle = await ReadAllAsync(log, middle.AfterSequence, page: 7);

        Assert.Equal(Enumerable.Range(1, 1_000).Select(i => (long)i), replayed.Select(u => u.Sequence));
        Assert.Equal(appended.Select(u => u.Id), replayed.Select(u => u.Update.Id));
        Assert.Equal(appended.Select(u => u.Data), replayed.Select(u => u.Update.Data));
        Assert.Equal(new HistoryCursor(true, 500), middle);
        Assert.Equal(Enumerable.Range(501, 500).Select(i => (long)i), fromMiddle.Select(u => u.Sequence));
    }

    [Fact]
    public async Task Every_field_survives_a_reopen_and_sequences_continue_after_it()
    {
        Update full = new(["https://example.com/books/1", "urn:isbn:12:34", "3:a\nb", "é€中😀"], "line 1\nline 2\r\n", "id-1", "book", 2_500, isPrivate: true);
        Update plain = new(["t"], "");
        using (SqliteEventLog log = _store.Open())
        {
            await AppendAsync(log, full, plain);
        }

        using (SqliteEventLog reopened = _store.Open())
        {
            List<LoggedUpdate> read = await ReadAllAsync(reopened);
            Assert.Equal([1L, 2], read.Select(u => u.Sequence));
            AssertSame(full, read[0].Update);
            AssertSame(plain, read[1].Update);
            Assert.Equal(plain.Id, reopened.LastEventId);
            Assert.Equal(new HistoryCursor(true, 1), await reopened.FindAsync("id-1", CancellationToken.None));

            Assert.Equal([new AppendOutcome(3, false)], await AppendAsync(reopened, Event("3")));
        }

        // Also read from disk, not from the tail loaded at open.
        using SqliteEventLog noTail = _store.Open(o => o.RecentCapacity = 0);
        List<LoggedUpdate> fromDisk = await ReadAllAsync(noTail);
        AssertSame(full, fromDisk[0].Update);
        Assert.Equal([1L, 2, 3], fromDisk.Select(u => u.Sequence));
    }

    [Fact]
    public async Task Idempotency_by_id_holds_across_a_reopen()
    {
        using (SqliteEventLog log = _store.Open())
        {
            await AppendAsync(log, Event("1", "x"), Event("2", "y"));
        }

        using SqliteEventLog reopened = _store.Open(o => o.RecentCapacity = 0);
        AppendOutcome[] outcomes = await AppendAsync(reopened, Event("again", "y"), Event("3", "z"), Event("again", "x"));

        Assert.Equal([new AppendOutcome(2, true), new AppendOutcome(3, false), new AppendOutcome(1, true)], outcomes);
        Assert.Equal(["1", "2", "3"], (await ReadAllAsync(reopened)).Select(u => u.Update.Data));
    }

    [Fact]
    public async Task Generated_ids_stay_ordered_across_a_reopen_when_the_clock_goes_back()
    {
        var ids = new List<string>();
        using (SqliteEventLog log = _store.Open())
        {
            ids.AddRange((await AppendManyAsync(log, 10)).Select(u => u.Id!));
        }

        // The machine's clock is an hour behind after the restart.
        var earlier = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(_store.Time.GetUtcNow() - TimeSpan.FromHours(1));
        using (SqliteEventLog reopened = new(_store.Options(), earlier))
        {
            ids.AddRange((await AppendManyAsync(reopened, 10)).Select(u => u.Id!));
            Assert.Equal(ids, (await ReadAllAsync(reopened)).Select(u => u.Update.Id));
        }

        Assert.Equal(20, ids.Distinct().Count());
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
    }

    [Theory]
    [InlineData(SqliteDurability.Full, 2)]
    [InlineData(SqliteDurability.Normal, 1)]
    public async Task Both_durabilities_store_in_WAL_mode_with_their_synchronous_level(SqliteDurability durability, long synchronous)
    {
        using (SqliteEventLog log = _store.Open(o => o.Durability = durability))
        {
            await AppendManyAsync(log, 10);
            Assert.Equal(synchronous, await log.ReadWriterPragmaAsync("synchronous"));
        }

        using var check = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_store.DatabasePath};Pooling=False");
        check.Open();
        using Microsoft.Data.Sqlite.SqliteCommand command = check.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar());
        command.CommandText = "SELECT count(*) FROM events;";
        Assert.Equal(10L, command.ExecuteScalar());
    }

    [Fact]
    public async Task A_disposed_log_refuses_appends_and_reads()
    {
        SqliteEventLog log = _store.Open();
        log.Dispose();
        log.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => log.AppendAsync([Event("1")], CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => log.ReadAsync(0, 10, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Concurrent_replays_while_appending_each_read_a_gapless_prefix()
    {
        using SqliteEventLog log = _store.Open(o => o.RecentCapacity = 50);
        Task writer = AppendManyAsync(log, 2_000, batch: 20);
        Task<List<LoggedUpdate>>[] readers = [.. Enumerable.Range(0, 4).Select(_ => Task.Run(() => ReadAllAsync(log, page: 33)))];
        await writer;

        foreach (List<LoggedUpdate> read in await Task.WhenAll(readers))
        {
            // Each replay reads from the start up to wherever the writer had got: no gap, no repeat.
            Assert.Equal(Enumerable.Range(1, read.Count).Select(i => (long)i), read.Select(u => u.Sequence));
        }
    }

    private static void AssertSame(Update expected, Update actual)
    {
        Assert.Equal(expected.Topics, actual.Topics);
        Assert.Equal(expected.Data, actual.Data);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Type, actual.Type);
        Assert.Equal(expected.Retry, actual.Retry);
        Assert.Equal(expected.IsPrivate, actual.IsPrivate);
    }
}
