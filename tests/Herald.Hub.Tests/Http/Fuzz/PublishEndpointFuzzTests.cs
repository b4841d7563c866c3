using Herald.Testing;

namespace Herald.Hub.Tests.Http.Fuzz;

/// <summary>
/// The publish endpoint under random and malformed requests: every answer is one of
/// 200/400/401/403/413/415 with a message, never a 500 or a hang, and the hub works afterwards.
/// </summary>
[Collection(FuzzHub.Collection)]
public sealed class PublishEndpointFuzzTests
{
    [Fact]
    public async Task A_hundred_thousand_hostile_publishes_through_the_mapped_handler_get_clear_answers()
    {
        await using HubHost host = await FuzzHub.StartAsync();
        long memoryBefore = GC.GetTotalMemory(forceFullCollection: true);

        IReadOnlyDictionary<int, int> statuses = await FuzzHub.InProcessAsync(host, HostileInputs.Publish(FuzzHub.MaxBodySize), AnswerRules.PublishStatuses, 100_000);

        FuzzHub.AssertReached(statuses, 200, 400, 401, 403, 413);
        long retained = GC.GetTotalMemory(forceFullCollection: true) - memoryBefore;
        Assert.True(retained < 64L * 1024 * 1024, $"the run left {retained / 1024} KiB behind");
        await FuzzHub.AssertStillServesAsync(host);
    }

    [Fact]
    public async Task Hostile_publishes_over_real_http_get_clear_answers()
    {
        await using HubHost host = await FuzzHub.StartAsync();

        IReadOnlyDictionary<int, int> statuses = await FuzzHub.OverHttpAsync(host, HostileInputs.Publish(FuzzHub.MaxBodySize), AnswerRules.PublishStatuses, 10_000);

        FuzzHub.AssertReached(statuses, 200, 400, 401, 403, 413);
        await FuzzHub.AssertStillServesAsync(host);
    }
}
