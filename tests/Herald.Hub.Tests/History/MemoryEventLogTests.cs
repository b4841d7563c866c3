using Herald.Hub.History;

namespace Herald.Hub.Tests.History;

public sealed class MemoryEventLogTests
{
    private static async Task<List<long>> AppendAsync(MemoryEventLog log, params string[] ids)
    {
        var sequences = new List<long>();
        foreach (string id in ids)
        {
            sequences.Add(await log.AppendAsync(new Update(["t"], id, id), CancellationToken.None));
        }

        return sequences;
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
    public async Task Earliest_is_found_even_when_empty_and_a_reused_id_resumes_after_its_latest_use()
    {
        var log = new MemoryEventLog(5);
        Assert.Equal(new HistoryCursor(true, 0), await log.FindAsync(HistoryCursor.Earliest, CancellationToken.None));
        Assert.Null(log.LastEventId);

        List<long> sequences = await AppendAsync(log, "x", "y", "x");
        Assert.Equal(sequences[2], (await log.FindAsync("x", CancellationToken.None)).AfterSequence);
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
