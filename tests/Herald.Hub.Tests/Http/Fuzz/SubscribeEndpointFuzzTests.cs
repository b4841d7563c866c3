using Herald.Testing;

namespace Herald.Hub.Tests.Http.Fuzz;

/// <summary>
/// The subscribe endpoint under random query strings, selectors, last event ids and tokens:
/// every answer is one of 200/204/400/401/403/503, never a 500 or a hang, every subscription
/// opened is released, and the hub works afterwards.
/// </summary>
[Collection(FuzzHub.Collection)]
public sealed class SubscribeEndpointFuzzTests
{
    [Fact]
    public async Task A_hundred_thousand_hostile_subscriptions_through_the_mapped_handler_get_clear_answers()
    {
        await using HubHost host = await FuzzHub.StartAsync();
        long memoryBefore = GC.GetTotalMemory(forceFullCollection: true);

        IReadOnlyDictionary<int, int> statuses = await FuzzHub.InProcessAsync(host, HostileInputs.Subscribe(FuzzHub.MaxSelectors), AnswerRules.SubscribeStatuses, 100_000);

        FuzzHub.AssertReached(statuses, 200, 400, 401);
        // What stays is bounded by design: the selector cache keeps at most its capacity of
        // compiled selectors (about 7 KiB per URI template), however many a client invents.
        Assert.InRange(host.Hub.Selectors.Count, 1, host.Hub.Selectors.Capacity);
        long retained = GC.GetTotalMemory(forceFullCollection: true) - memoryBefore;
        Assert.True(retained < 128L * 1024 * 1024, $"the run left {retained / 1024} KiB behind");
        await FuzzHub.AssertStillServesAsync(host);
    }

    [Fact]
    public async Task Hostile_subscriptions_over_real_http_get_clear_answers()
    {
        await using HubHost host = await FuzzHub.StartAsync();

        IReadOnlyDictionary<int, int> statuses = await FuzzHub.OverHttpAsync(host, HostileInputs.Subscribe(FuzzHub.MaxSelectors), AnswerRules.SubscribeStatuses, 10_000);

        FuzzHub.AssertReached(statuses, 200, 400, 401);
        await FuzzHub.AssertStillServesAsync(host);
    }
}
