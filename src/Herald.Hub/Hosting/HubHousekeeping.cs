using Herald.Hub.Streams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Herald.Hub.Hosting;

/// <summary>
/// One timer for the whole hub: heartbeats and subscription deadlines are checked on its ticks,
/// so no connection carries a timer of its own; ended token streams are forgotten after their TTL.
/// (Subscriptions end when the application stops through <see cref="HubDrain"/>, so the server's
/// shutdown does not wait on streams that never end.)
/// </summary>
internal sealed class HubHousekeeping(HeraldHub hub, TokenStreams streams, IOptions<HeraldOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A quarter of the heartbeat interval keeps heartbeats within 25% of it; at most a second
        // apart so deadlines and token expiries are kept to the second.
        TimeSpan period = TimeSpan.FromTicks(Math.Clamp(options.Value.HeartbeatInterval.Ticks / 4, TimeSpan.FromMilliseconds(20).Ticks, TimeSpan.FromSeconds(1).Ticks));
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                hub.Sweep();
                streams.Sweep();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
