using System.Net;
using System.Threading.RateLimiting;
using Herald.Hub.Authorization;
using Herald.Hub.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Herald.Hub.Limits;

/// <summary>
/// The publish rates of <see cref="HeraldLimitsOptions"/>: a token bucket per client address and
/// one per publisher, from <c>System.Threading.RateLimiting</c> (what ASP.NET Core's rate limiting
/// middleware runs on). They are checked inside the endpoints rather than by the middleware so
/// that every application embedding the hub has them without adding middleware in the right
/// place, and so that the per-token bucket is chosen by the token after it is validated: a forged
/// token cannot spend, or get, anyone's budget. Idle buckets are dropped by the limiter.
/// </summary>
internal sealed class PublishRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress>? _perClient;
    private readonly PartitionedRateLimiter<string>? _perPublisher;
    private readonly HeraldAuthorizationOptions _names;

    /// <summary>Builds the buckets the options ask for.</summary>
    public PublishRateLimiter(IOptions<HeraldOptions> options)
    {
        HeraldOptions value = options.Value;
        _names = value.Authorization;
        _perClient = Create<IPAddress>(value.Limits.PublishesPerSecondPerIp);
        _perPublisher = Create<string>(value.Limits.PublishesPerSecondPerToken);
    }

    /// <summary>Counts a publish against the request's client address; past the rate, answers
    /// 429 with <c>Retry-After</c>.</summary>
    /// <returns>Whether the request goes on.</returns>
    public Task<bool> AdmitClientAsync(HttpContext context) =>
        ClientAddress.Of(context) is { } client && _perClient is not null
            ? AdmitAsync(context, _perClient, client, "This address is publishing faster than the hub allows; slow down and retry after the time Retry-After gives.")
            : Task.FromResult(true);

    /// <summary>Counts a publish against the publisher the authorized token names; past the rate,
    /// answers 429 with <c>Retry-After</c>.</summary>
    /// <returns>Whether the request goes on.</returns>
    public Task<bool> AdmitPublisherAsync(HttpContext context, HubAuthorizationResult authorization) =>
        _perPublisher is not null && PublisherIdentity.Of(context.Request, authorization, _names) is { } publisher
            ? AdmitAsync(context, _perPublisher, publisher, "This token is publishing faster than the hub allows; slow down and retry after the time Retry-After gives.")
            : Task.FromResult(true);

    /// <inheritdoc />
    public void Dispose()
    {
        _perClient?.Dispose();
        _perPublisher?.Dispose();
    }

    private static async Task<bool> AdmitAsync<TKey>(HttpContext context, PartitionedRateLimiter<TKey> limiter, TKey key, string message)
    {
        using RateLimitLease lease = limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return true;
        }

        TimeSpan retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait) ? wait : TimeSpan.FromSeconds(1);
        await HubResponses.TooManyRequestsAsync(context, retryAfter, message).ConfigureAwait(false);
        return false;
    }

    /// <summary>A token bucket per key refilled at <paramref name="perSecond"/>, holding two
    /// seconds' worth, with no queue (a publish past the rate is refused, never held); none for 0.</summary>
    private static PartitionedRateLimiter<TKey>? Create<TKey>(int perSecond)
        where TKey : notnull
    {
        if (perSecond <= 0)
        {
            return null;
        }

        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = (int)Math.Min(int.MaxValue, 2L * perSecond),
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        return PartitionedRateLimiter.Create<TKey, TKey>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => bucket));
    }
}
