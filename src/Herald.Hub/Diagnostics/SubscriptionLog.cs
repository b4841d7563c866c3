using Herald.Hub.Delivery;
using Microsoft.Extensions.Logging;

namespace Herald.Hub.Diagnostics;

/// <summary>
/// The per-subscription lines of the hub's log: a subscriber connecting, leaving, being closed for
/// falling behind, or being refused. Each kind has a <see cref="LogBudget"/>, so a reconnect storm
/// yields a few lines a second and a count of the rest. Nothing private goes in: no token, no
/// topic or selector, no address; the subscriber's generated id, counts and reasons only.
/// </summary>
internal sealed partial class SubscriptionLog
{
    /// <summary>Lines of one kind per second before the rest are only counted.</summary>
    private const int LinesPerSecond = 10;

    private readonly ILogger _logger;
    private readonly LogBudget _connected;
    private readonly LogBudget _left;
    private readonly LogBudget _slow;
    private readonly LogBudget _refused;

    public SubscriptionLog(ILogger logger, TimeProvider time)
    {
        _logger = logger;
        _connected = new LogBudget(time, LinesPerSecond, TimeSpan.FromSeconds(1));
        _left = new LogBudget(time, LinesPerSecond, TimeSpan.FromSeconds(1));
        _slow = new LogBudget(time, LinesPerSecond, TimeSpan.FromSeconds(1));
        _refused = new LogBudget(time, LinesPerSecond, TimeSpan.FromSeconds(1));
    }

    public void Connected(string subscriber, string protocol, int selectors, bool resuming)
    {
        if (_logger.IsEnabled(LogLevel.Debug) && Take(_connected, "connected"))
        {
            SubscriberConnected(_logger, subscriber, protocol, selectors, resuming);
        }
    }

    public void Left(string subscriber, SubscriberCloseReason reason, double seconds)
    {
        if (_logger.IsEnabled(LogLevel.Debug) && Take(_left, "left"))
        {
            SubscriberLeft(_logger, subscriber, reason, seconds);
        }
    }

    public void FellBehind(string subscriber, int queueCapacity)
    {
        if (_logger.IsEnabled(LogLevel.Warning) && Take(_slow, "closed for falling behind"))
        {
            SubscriberFellBehind(_logger, subscriber, queueCapacity);
        }
    }

    public void Refused(string reason)
    {
        if (_logger.IsEnabled(LogLevel.Information) && Take(_refused, "refused"))
        {
            SubscriberRefused(_logger, reason);
        }
    }

    /// <summary>Reports what windows that have ended held back; the hub's housekeeping calls it
    /// every tick, so the count of a storm that has stopped still comes out.</summary>
    public void Flush()
    {
        Report(_connected.TakeSuppressed(), "connected", _connected.Window);
        Report(_left.TakeSuppressed(), "left", _left.Window);
        Report(_slow.TakeSuppressed(), "closed for falling behind", _slow.Window);
        Report(_refused.TakeSuppressed(), "refused", _refused.Window);
    }

    private bool Take(LogBudget budget, string what)
    {
        bool allowed = budget.TryTake(out long suppressed);
        Report(suppressed, what, budget.Window);
        return allowed;
    }

    private void Report(long suppressed, string what, TimeSpan window)
    {
        if (suppressed > 0)
        {
            LinesSuppressed(_logger, suppressed, what, window.TotalSeconds);
        }
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Debug, Message = "Subscriber {SubscriberId} connected over {Protocol} with {SelectorCount} selectors (resuming: {Resuming}).")]
    private static partial void SubscriberConnected(ILogger logger, string subscriberId, string protocol, int selectorCount, bool resuming);

    [LoggerMessage(EventId = 31, Level = LogLevel.Debug, Message = "Subscriber {SubscriberId} left ({Reason}) after {DurationSeconds:F1} s.")]
    private static partial void SubscriberLeft(ILogger logger, string subscriberId, SubscriberCloseReason reason, double durationSeconds);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "Subscriber {SubscriberId} was closed for falling behind: its queue of {QueueCapacity} frames was full. It resumes with its last event id.")]
    private static partial void SubscriberFellBehind(ILogger logger, string subscriberId, int queueCapacity);

    [LoggerMessage(EventId = 33, Level = LogLevel.Information, Message = "Refused a subscriber: {Reason}.")]
    private static partial void SubscriberRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 34, Level = LogLevel.Information, Message = "{Count} more subscribers {What} in the last {WindowSeconds} s (not logged one by one).")]
    private static partial void LinesSuppressed(ILogger logger, long count, string what, double windowSeconds);
}
