using Herald.Hub.Delivery;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Hub.Hosting;

/// <summary>
/// The graceful stop. As soon as the host starts stopping the hub drains: readiness reports
/// unhealthy and requests still arriving on open connections (new subscriptions, publishes) answer
/// 503 with <c>Retry-After</c>, while the server stops accepting connections; every subscription is
/// sent a reconnect delay (<c>retry:</c>, jittered) and then closed, the closes spread evenly, with
/// jitter, over <see cref="HeraldOptions.DrainWindow"/>, so that the clients of a large node do not
/// all come back at the same moment, and when they do the port is closed (a browser's
/// <c>EventSource</c> retries a refused connection, but gives up for good on a 503). What is left
/// at the end of the window, or when the host's shutdown timeout cuts the drain short, is closed at
/// once. Publishes already accepted are still stored and answered when the hub is disposed.
/// </summary>
internal sealed partial class HubDrain(HeraldHub hub, IOptions<HeraldOptions> options, TimeProvider time, ILogger<HubDrain> logger) : IHostedLifecycleService
{
    /// <summary>How long farewells still being written after the last scheduled close (to readers
    /// that are behind) may take before their subscriptions are cut.</summary>
    private static readonly TimeSpan FarewellGrace = TimeSpan.FromSeconds(1);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Starts the drain before any hosted service stops and does not wait for it: the
    /// server then stops listening at once, and waits for the connections the drain closes.</summary>
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        _drain = DrainAsync(cancellationToken);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The server has stopped; the drain has closed everything, or does now.</summary>
    public Task StoppedAsync(CancellationToken cancellationToken) => _drain;

    private Task _drain = Task.CompletedTask;

    /// <summary>Drains the hub; returns when every subscription is closed. <paramref name="cancellationToken"/>
    /// (the host's shutdown timeout) closes the rest at once.</summary>
    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        hub.BeginDrain();
        HeraldOptions settings = options.Value;
        Subscriber[] subscribers = [.. hub.Subscribers];
        // Shuffled, so no kind of client (the oldest, one page's) is always the first sent away.
        Random.Shared.Shuffle(subscribers);
        LogDraining(logger, subscribers.Length, settings.DrainWindow.TotalSeconds);
        long start = time.GetTimestamp();
        int closing = 0;
        try
        {
            for (; closing < subscribers.Length; closing++)
            {
                // Subscription i of n closes at a random moment of the i-th n-th of the window: as
                // even as a schedule, without the clients moving in lockstep. A wait that overshoots
                // (timers are coarser than 50,000 closes in 10 s) is made up by closing the ones
                // already due without waiting.
                TimeSpan due = settings.DrainWindow * ((closing + Random.Shared.NextDouble()) / subscribers.Length);
                TimeSpan wait = due - time.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                }

                subscribers[closing].Drain(ReconnectDelay(settings.DrainReconnectDelay));
            }

            await Task.WhenAll(subscribers.Select(subscriber => subscriber.Stopped)).WaitAsync(FarewellGrace, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or TimeoutException)
        {
            // The shutdown timeout came first, or farewells are stuck behind readers that do not
            // read: what is left is closed below.
            LogDrainCutShort(logger, subscribers.Length - closing);
        }

        // Also closes a subscription admitted just before the drain began and registered after
        // the snapshot above; new ones are refused from now on.
        hub.CloseAll();
    }

    /// <summary>Between <paramref name="floor"/> and twice it, so reconnections spread out too.</summary>
    private static TimeSpan ReconnectDelay(TimeSpan floor) => floor * (1 + Random.Shared.NextDouble());

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: closing {Count} subscriptions over {Seconds} s, each told when to reconnect.")]
    private static partial void LogDraining(ILogger logger, int count, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The drain was cut short: {Left} subscriptions not yet sent away, and any whose farewell was still being written, are closed at once.")]
    private static partial void LogDrainCutShort(ILogger logger, int left);
}
