namespace Herald.Hub.Delivery;

/// <summary>Why a subscription ended.</summary>
internal enum SubscriberCloseReason
{
    /// <summary>Still open.</summary>
    None,

    /// <summary>The client went away or the stream ended normally.</summary>
    Ended,

    /// <summary>Its queue overflowed: it could not keep up.</summary>
    QueueOverflow,

    /// <summary>It reached its maximum lifetime or its token expired.</summary>
    Deadline,

    /// <summary>The hub is shutting down.</summary>
    HubStopping,

    /// <summary>The shared history skipped updates this hub had not delivered (trimmed while it
    /// could not read, or lost by the store): the client resumes with its last event id and is
    /// told of the gap.</summary>
    HistoryGap,
}
