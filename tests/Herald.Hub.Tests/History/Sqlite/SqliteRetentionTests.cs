using Herald.Hub.History;
using Herald.Hub.History.Sqlite;
using Herald.Testing;
using static Herald.Hub.Tests.History.Sqlite.TempStore;

namespace Herald.Hub.Tests.History.Sqlite;

/// <summary>Retention by count, age and size: the oldest go, their ids are no longer found, and a
/// replay from the start begins at the oldest retained.</summary>
public sealed class SqliteRetentionTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Theory]
    [InlineData(10)]
    [InlineData(1_000)]
    public async Task Retention_by_count_keeps_the_newest_in_chunks_and_forgets_the_evicted_ids(int recentCapacity)
    {
        using SqliteEventLog log = _store.Open(o =>
        {
            o.MaxEvents = 100;
            o.RecentCapacity = recentCapacity;
            o.RetentionChunkSize = 30;
        });
        List<Update> appended = await AppendManyAsync(log, 250, batch: 50);

        await log.EnforceRetentionAsync();

        Assert.Equal(100, log.RetainedCount);
        Assert.Equal(HistoryCursor.NotFound, await log.FindAsync(appended[0].Id!, CancellationToken.None));
        Assert.Equal(HistoryCursor.NotFound, await log.FindAsync(appended[149].Id!, CancellationToken.None));
        Assert.Equal(new HistoryCursor(true, 151), await log.FindAsync(appended[150].Id!, CancellationToken.None));
        List<LoggedUpdate> replay = await ReadAllAsync(log, after: 0, page: 40);
        Assert.Equal(Enumerable.Range(151, 100).Select(i => (long)i), replay.Select(u => u.Sequence));
        Assert.Equal(appended[^1].Id, log.LastEventId);

        // An evicted id is new again: retention bounds idempotency as it bounds history.
        Assert.Equal([new AppendOutcome(251, false)], await AppendAsync(log, Event("again", appended[0].Id)));
    }

    [Fact]
    public async Task Retention_by_age_deletes_what_was_committed_before_the_limit()
    {
        using SqliteEventLog log = _store.Open(o => o.MaxAge = TimeSpan.FromDays(3));
        List<Update> old = await AppendManyAsync(log, 30, batch: 10, prefix: "old");
        _store.Time.Advance(TimeSpan.FromDays(2));
        List<Update> recent = await AppendManyAsync(log, 20, batch: 10, prefix: "recent");

        await log.EnforceRetentionAsync();
        Assert.Equal(50, log.RetainedCount);

        _store.Time.Advance(TimeSpan.FromDays(1.5));
        await log.EnforceRetentionAsync();

        Assert.Equal(20, log.RetainedCount);
        Assert.Equal(HistoryCursor.NotFound, await log.FindAsync(old[^1].Id!, CancellationToken.None));
        Assert.Equal(recent.Select(u => u.Id), (await ReadAllAsync(log)).Select(u => u.Update.Id));

        _store.Time.Advance(TimeSpan.FromDays(2));
        await log.EnforceRetentionAsync();
        Assert.Equal(0, log.RetainedCount);
        Assert.Empty(await ReadAllAsync(log));
        Assert.Null(log.LastEventId);

        // Sequences go on after everything was deleted, here and after a reopen.
        Assert.Equal([new AppendOutcome(51, false)], await AppendAsync(log, Event("next")));
    }

    [Fact]
    public async Task Retention_by_size_keeps_the_newest_within_the_byte_limit_and_the_total_survives_a_reopen()
    {
        // Each event counts 11 bytes: one of topic "t" and ten of data.
        using (SqliteEventLog log = _store.Open(o => o.MaxBytes = 550))
        {
            // The start-up pass runs in the background; let it end first, or it may trim the
            // appends below before the explicit pass this test is about.
            await Bounded.UntilAsync(() => log.RetentionPasses >= 1, "the start-up retention pass ends");
            for (int batch = 0; batch < 4; batch++)
            {
                await log.AppendAsync([.. Enumerable.Range(batch * 25, 25).Select(i => Event(i.ToString("D10", System.Globalization.CultureInfo.InvariantCulture)))], CancellationToken.None);
            }

            Assert.Equal(1_100, log.RetainedBytes);

            await log.EnforceRetentionAsync();

            Assert.Equal(50, log.RetainedCount);
            Assert.Equal(550, log.RetainedBytes);
            Assert.Equal(51, (await ReadAllAsync(log))[0].Sequence);
        }

        using SqliteEventLog reopened = _store.Open(o => o.MaxBytes = 550);
        Assert.Equal(550, reopened.RetainedBytes);
        Assert.Equal(50, reopened.RetainedCount);
    }

    [Fact]
    public async Task A_reopened_store_past_its_limits_is_trimmed_at_start_up_then_on_each_interval()
    {
        using (SqliteEventLog unlimited = _store.Open(o => o.MaxEvents = 0))
        {
            await AppendManyAsync(unlimited, 40);
        }

        using SqliteEventLog log = _store.Open(o =>
        {
            o.MaxEvents = 10;
            o.RetentionInterval = TimeSpan.FromSeconds(30);
        });
        await Bounded.UntilAsync(() => log.RetentionPasses >= 1, "the start-up retention pass ends");
        Assert.Equal(10, log.RetainedCount);

        // Nothing runs until the clock reaches the next interval.
        await AppendManyAsync(log, 20);
        Assert.Equal(30, log.RetainedCount);

        _store.Time.Advance(TimeSpan.FromSeconds(30));
        await Bounded.UntilAsync(() => log.RetentionPasses >= 2, "the interval's retention pass ends");
        Assert.Equal(10, log.RetainedCount);
        Assert.Equal(51, (await ReadAllAsync(log))[0].Sequence);
    }
}
