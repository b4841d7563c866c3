using Herald.Hub.History;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Herald.Hub.Hosting;

/// <summary>
/// Whether the hub can take traffic: it is not draining (shutting down), its history answers,
/// and over a shared history the hub is following it (so a node cut off from Redis leaves the
/// load balancer's rotation while its subscribers wait to be caught up, and so does a node that
/// is stopping). <c>AddHerald</c> registers it tagged <see cref="Tag"/>:
/// <c>app.MapHealthChecks("/readyz", new() { Predicate = c => c.Tags.Contains(HeraldReadinessCheck.Tag) })</c>.
/// </summary>
/// <param name="hub">The hub whose history is checked.</param>
public sealed class HeraldReadinessCheck(HeraldHub hub) : IHealthCheck
{
    /// <summary>The tag of the checks a readiness probe runs.</summary>
    public const string Tag = "ready";

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            hub.IsDraining ? HealthCheckResult.Unhealthy("The hub is draining: it is shutting down.")
            : hub.Log is ISharedEventLog { IsReachable: false } ? HealthCheckResult.Unhealthy("The shared history cannot be reached.")
            : !hub.IsFollowing ? HealthCheckResult.Unhealthy("The hub is not following the shared history yet.")
            : hub.IsHistoryFailing ? HealthCheckResult.Unhealthy("The history's last write failed.")
            : HealthCheckResult.Healthy());
}
