using Herald.Hub.History;
using Herald.Testing;

namespace Herald.Hub.Redis.Tests;

/// <summary>
/// The Redis Streams history against a real redis-server: two <see cref="RedisEventLog"/>s on one
/// Redis are two hub nodes.
/// </summary>
public sealed class RedisEventLogTests : RedisTests
{
    private RedisEventLog Node(long maxLength = 1_000_000, string prefix = "herald") =>
        new(new RedisEventLogOptions { Configuration = Redis.Url, Prefix = prefix, MaxLength = maxLength, FollowWait = TimeSpan.FromMilliseconds(200) });

    [Fact]
    public async Task Sequences_are_contiguous_across_nodes_and_generated_ids_read_the_same_on_each()
    {
        using RedisEventLog one = Node();
        using RedisEventLog two = Node();
        var first = new Update(["a"], "1");
        var second = new Update(["b", "b-alternate"], "2\nlines", type: "kind", retry: 1500, isPrivate: true);
        AppendOutcome[] fromOne = await one.AppendAsync([first], default);
        AppendOutcome[] fromTwo = await two.AppendAsync([second, new Update(["c"], "3", id: "mine")], default);

        Assert.Equal([new AppendOutcome(1, false)], fromOne);
        Assert.Equal([new AppendOutcome(2, false), new AppendOutcome(3, false)], fromTwo);
        Assert.True(HubIds.TryParse(first.Id!, out long sequence, out _));
        Assert.Equal(1, sequence);

        foreach (RedisEventLog node in new[] { one, two })
        {
            IReadOnlyList<LoggedUpdate> page = await node.ReadAsync(0, 10, default);
            Assert.Equal([1L, 2L, 3L], page.Select(logged => logged.Sequence));
            Assert.Equal([first.Id, second.Id, "mine"], page.Select(logged => logged.Update.Id));
            Update read = page[1].Update;
            Assert.Equal(["b", "b-alternate"], read.Topics);
            Assert.Equal("2\nlines", read.Data);
            Assert.Equal("kind", read.Type);
            Assert.Equal(1500, read.Retry);
            Assert.True(read.IsPrivate);
            Assert.Equal(new HistoryCursor(true, 1), await node.FindAsync(first.Id!, default));
            Assert.Equal(new HistoryCursor(true, 3), await node.FindAsync("mine", default));
            Assert.Equal(3, await node.GetLastSequenceAsync(default));
        }
    }

    [Fact]
    public async Task Publishing_an_id_again_on_another_node_is_not_stored_again()
    {
        using RedisEventLog one = Node();
        using RedisEventLog two = Node();
        var generated = new Update(["a"], "x");
        await one.AppendAsync([generated, new Update(["a"], "y", id: "order-1")], default);

        AppendOutcome[] again = await two.AppendAsync(
            [new Update(["a"], "y again", id: "order-1"), new Update(["a"], "x again", id: generated.Id), new Update(["a"], "z", id: "order-2"), new Update(["a"], "z twice", id: "order-2")],
            default);

        Assert.Equal([new AppendOutcome(2, true), new AppendOutcome(1, true), new AppendOutcome(3, false), new AppendOutcome(3, true)], again);
        Assert.Equal(3, (await one.ReadAsync(0, 10, default)).Count);
    }

    [Fact]
    public async Task A_node_follows_what_another_appends_in_order()
    {
        using RedisEventLog publisher = Node();
        using RedisEventLog follower = Node();
        Assert.Empty(await follower.FollowAsync(0, default));

        Task<IReadOnlyList<LoggedUpdate>> waiting = follower.FollowAsync(0, default).AsTask();
        await publisher.AppendAsync([new Update(["a"], "1"), new Update(["a"], "2")], default);
        IReadOnlyList<LoggedUpdate> page = await waiting.WaitAsync(Bounded.DefaultWait);
        if (page.Count == 0)
        {
            // The blocking read ended just before the append: the next one sees it at once.
            page = await follower.FollowAsync(0, default);
        }

        Assert.Equal(["1", "2"], page.Select(logged => logged.Update.Data));
        Assert.Equal(page[1].Update.Id, follower.LastEventId);
    }

    [Fact]
    public async Task Retention_trims_the_stream_and_the_id_index_together()
    {
        using RedisEventLog node = Node(maxLength: 100);
        for (int i = 0; i < 20; i++)
        {
            await node.AppendAsync(Enumerable.Range(0, 100).Select(j => new Update(["a"], "x", id: $"e{(i * 100) + j}")).ToArray(), default);
        }

        IReadOnlyList<LoggedUpdate> retained = await node.ReadAsync(0, 10_000, default);
        Assert.InRange(retained.Count, 100, 1_000);
        Assert.Equal(2_000, retained[^1].Sequence);
        Assert.False((await node.FindAsync("e0", default)).Found);
        Assert.Equal(new HistoryCursor(true, retained[0].Sequence), await node.FindAsync(retained[0].Update.Id!, default));

        // A trimmed id may be published again: it is new to the history.
        Assert.Equal([new AppendOutcome(2_001, false)], await node.AppendAsync([new Update(["a"], "again", id: "e0")], default));
    }

    [Fact]
    public async Task Prefixes_are_separate_hubs()
    {
        using RedisEventLog one = Node(prefix: "one");
        using RedisEventLog two = Node(prefix: "two");
        await one.AppendAsync([new Update(["a"], "x", id: "same")], default);

        Assert.Equal([new AppendOutcome(1, false)], await two.AppendAsync([new Update(["a"], "y", id: "same")], default));
        Assert.Equal("y", (await two.ReadAsync(0, 10, default)).Single().Update.Data);
    }

    [Fact]
    public async Task While_Redis_is_down_commands_fail_at_once_and_work_again_when_it_returns()
    {
        using RedisEventLog node = Node();
        await node.AppendAsync([new Update(["a"], "before")], default);
        await Redis.KillAsync();

        await Assert.ThrowsAnyAsync<Exception>(async () => await node.AppendAsync([new Update(["a"], "during")], default)).WaitAsync(Bounded.DefaultWait);
        Assert.False(node.IsReachable);

        await Redis.StartAgainAsync();
        AppendOutcome[] after = await RetryAsync(() => node.AppendAsync([new Update(["a"], "after")], default).AsTask());
        Assert.Equal([new AppendOutcome(2, false)], after);
        Assert.Equal(["before", "after"], (await node.ReadAsync(0, 10, default)).Select(logged => logged.Update.Data));
    }

    /// <summary>Retries until the client has reconnected (it reconnects on its own, in the background).</summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> action)
    {
        using CancellationTokenSource bound = Bounded.Wait(Bounded.DefaultWait);
        while (true)
        {
            try
            {
                return await action();
            }
            catch (Exception exception) when (exception is StackExchange.Redis.RedisConnectionException && !bound.IsCancellationRequested)
            {
                await Task.Delay(50, bound.Token);
            }
        }
    }
}
