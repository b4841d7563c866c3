namespace Herald.Testing;

/// <summary>Every wait in these tests is bounded: a hang fails the test instead of the run.</summary>
public static class Bounded
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    public static CancellationTokenSource Wait(TimeSpan? timeout = null) => new(timeout ?? DefaultWait);

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after the bound: for
    /// state with no event to await (such as a count in the hub).</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        using CancellationTokenSource bound = Wait(timeout);
        while (!condition())
        {
            try
            {
                await Task.Delay(10, bound.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }
        }
    }
}
