using System.Net;
using Herald.Hub.Limits;

namespace Herald.Hub.Tests.Limits;

public sealed class ClientCounterTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");

    [Fact]
    public void Each_address_has_its_own_cap_and_is_forgotten_at_zero()
    {
        var counter = new ClientCounter(2);

        Assert.True(counter.TryEnter(A));
        Assert.True(counter.TryEnter(A));
        Assert.False(counter.TryEnter(A));
        Assert.True(counter.TryEnter(B));
        Assert.Equal((2, 1, 2), (counter.CountOf(A), counter.CountOf(B), counter.ClientCount));

        counter.Leave(A);
        Assert.True(counter.TryEnter(A));
        counter.Leave(A);
        counter.Leave(A);
        counter.Leave(B);
        Assert.Equal(0, counter.ClientCount);
    }

    [Fact]
    public void Without_a_cap_or_an_address_nothing_is_counted()
    {
        var unlimited = new ClientCounter(0);
        var capped = new ClientCounter(1);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(unlimited.TryEnter(A));
            Assert.True(capped.TryEnter(null));
        }

        Assert.Equal((0, 0), (unlimited.ClientCount, capped.ClientCount));
    }

    [Fact]
    public async Task Concurrent_enters_never_pass_the_cap_and_leaves_return_every_place()
    {
        var counter = new ClientCounter(2);
        int admitted = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                if (counter.TryEnter(A))
                {
                    int now = Interlocked.Increment(ref admitted);
                    Assert.True(now <= 2, $"{now} places taken under a cap of 2");
                    Interlocked.Decrement(ref admitted);
                    counter.Leave(A);
                }
            }
        })));

        Assert.Equal(0, counter.ClientCount);
    }
}
