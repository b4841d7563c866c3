using Herald.Hub.History;

namespace Herald.Hub.Tests.History;

public sealed class MemoryEventLogTests
{
    private static async Task<List<long>> AppendAsync(MemoryEventLog log, params string[] ids)
    {
        AppendOutcome[] outcomes = await log.AppendAsync([.. ids.Select(id => new Update(["t"], id, id))], CancellationToken.None);
        return [.. outcomes.Select(outcome => outcome.Sequence)];
    }

    [Fact]
    public async Task Sequences_increase_and_reads_page_in_order_after_a_sequence()
    {
        var log = new MemoryEventLog(10);
        List<long> sequences = await AppendAsync(log, "a", "b", "c", "d");

        IReadOnlyList<LoggedUpdate> firstPage = await log.ReadAsync(0, 3, CancellationToken.None);
        IReadOnlyList<LoggedUpdate> rest = await log.ReadAsync(firstPage[^1].Sequence, 3, CancellationToken.None);

        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(["a", "b", "c"], firstPage.Select(u => u.Update.Id));
        Assert.Equal(["d"], rest.Select(u => u.Update.Id));
        Assert.Empty(await log.ReadAsync(rest[^1].Sequence, 3, CancellationToken.None));
        Assert.Equal("d", log.LastEventId);
    }

    [Fact]
    public async Task The_oldest_are_evicted_past_the_capacity_and_their_ids_are_no_longer_found()
    {
        var log = new MemoryEventLog(3);
        await AppendAsync(log, "a", "b", "c", "d", "e");

        Assert.Equal(3, log.Count);
        Assert.False((await log.FindAsync("b", CancellationToken.None)).Found);
        HistoryCursor c = await log.FindAsync("c", CancellationToken.None);
        Assert.True(c.Found);
        Assert.Equal(["d", "e"], (await log.ReadAsync(c.AfterSequence, 10, CancellationToken.None)).Select(u => u.Update.Id));
        // Reading from before the oldest retained starts at the oldest retained.
        Assert.Equal(["c", "d", "e"], (await log.ReadAsync(0, 10, CancellationToken.None)).Select(u => u.Update.Id));
    }

    [Fact]
    public async Task Earliest_is_found_even_when_empty()
    {
        var log = new MemoryEventLog(5);
        Assert.Equal(new HistoryCursor(true, 0), await log.FindAsync(HistoryCursor.Earliest, CancellationToken.None));
        Assert.Null(log.LastEventId);
    }

    [Fact]
    public async Task An_id_already_stored_is_a_duplicate_in_a_later_batch_or_the_same_one()
    {
        var log = new MemoryEventLog(5);
        AppendOutcome[] first = await log.AppendAsync([new Update(["t"], "1", "x")], CancellationToken.None);
        AppendOutcome[] second = await log.AppendAsync([new Update(["t"], "again", "x"), new Update(["t"], "2", "y"), new Update(["t"], "y again", "y")], CancellationToken.None);

        Assert.Equal([new AppendOutcome(1, false)], first);
        Assert.Equal([new AppendOutcome(1, true), new AppendOutcome(2, false), new AppendOutcome(2, true)], second);
        Assert.Equal(["1", "2"], (await log.ReadAsync(0, 10, CancellationToken.None)).Select(u => u.Update.Data));
    }

    [Fact]
    public async Task Generated_ids_are_set_on_the_updates_and_sort_in_log_order()
    {
        var log = new MemoryEventLog(100);
        Update[] updates = [.. Enumerable.Range(0, 50).Select(i => new Update(["t"], i.ToString(System.Globalization.CultureInfo.InvariantCulture)))];
        await log.AppendAsync(updates[..25], CancellationToken.None);
        await log.AppendAsync(updates[25..], CancellationToken.None);

        string[] ids = [.. updates.Select(u => u.Id!)];
        Assert.All(ids, id => Assert.StartsWith(HubIds.Prefix, id, StringComparison.Ordinal));
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public async Task A_log_of_capacity_zero_retains_nothing()
    {
        var log = new MemoryEventLog(0);
        await AppendAsync(log, "a");
        Assert.Equal(0, log.Count);
        Assert.Empty(await log.ReadAsync(0, 10, CancellationToken.None));
        Assert.False((await log.FindAsync("a", CancellationToken.None)).Found);
    }
}
