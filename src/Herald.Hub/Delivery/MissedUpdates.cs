using System.Globalization;
using System.Text.Json;
using Herald.Hub.Http;

namespace Herald.Hub.Delivery;

/// <summary>
/// The updates a subscriber's queue dropped since its last write (a slow-consumer policy that
/// keeps it connected): how many, and the first and last ids, which the next write announces with
/// <c>herald-reset</c> before anything newer. One per subscriber, made at its first drop, and
/// touched only under the subscriber's queue lock.
/// </summary>
internal sealed class MissedUpdates
{
    private long _count;
    private string? _firstId;
    private string? _lastId;
    private long _lastSequence;

    public bool IsEmpty => _count == 0;

    /// <summary>Records a dropped frame; heartbeats carry no update and do not count.</summary>
    public void Add(SseFrame frame)
    {
        if (frame.Count == 0)
        {
            return;
        }

        if (_count == 0)
        {
            _firstId = frame.FirstId;
        }

        _count += frame.Count;
        _lastId = frame.Id;
        _lastSequence = frame.Sequence;
    }

    /// <summary>The replay ended at <paramref name="replayedThrough"/>: drops it covered were not
    /// missed. Frames are dropped oldest first, so when the last one is covered, all are. When only
    /// some are (a queue's worth dispatched between the replay's last read and the live phase), the
    /// notice also names updates the replay sent: it may say too much, never too little.</summary>
    public void ForgetReplayed(long replayedThrough)
    {
        if (_lastSequence <= replayedThrough)
        {
            _count = 0;
        }
    }

    /// <summary>The <c>herald-reset</c> frame announcing what was dropped (the caller holds its
    /// one reference), and a fresh count.</summary>
    public SseFrame TakeNotice()
    {
        string message = string.Create(
            CultureInfo.InvariantCulture,
            $"This subscriber read too slowly: {_count} update(s) were dropped from its queue, from {_firstId} to {_lastId}; the history may still hold them.");
        string data = JsonSerializer.Serialize(
            new ResetNotice("slow-consumer", null, null, null, message, _count, _firstId, _lastId),
            HubJsonContext.Default.ResetNotice);
        _count = 0;
        return SseFrame.Notice("herald-reset", data);
    }
}
