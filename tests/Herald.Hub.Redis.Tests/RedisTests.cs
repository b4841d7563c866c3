using Herald.Testing;

namespace Herald.Hub.Redis.Tests;

/// <summary>A test class whose every test gets a redis-server of its own, started before the test
/// and stopped with its data after it, so no test sees another's keys.</summary>
public abstract class RedisTests : IAsyncLifetime
{
    /// <summary>The test's Redis.</summary>
    protected RedisServer Redis { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Redis = await RedisServer.StartAsync();

    public virtual async Task DisposeAsync() => await Redis.DisposeAsync();
}
