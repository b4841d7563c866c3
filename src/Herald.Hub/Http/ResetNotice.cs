namespace Herald.Hub.Http;

/// <summary>The data of a <c>herald-reset</c> event: either a resume from an id the history no
/// longer holds (<see cref="Requested"/>, <see cref="From"/>, <see cref="FirstRetainedId"/>), or
/// updates a slow subscriber's queue dropped (<see cref="Missed"/>, <see cref="FirstMissedId"/>,
/// <see cref="LastMissedId"/>). Fields that do not apply are left out of the JSON.</summary>
/// <param name="Reason">Why events were missed: <c>unknown-last-event-id</c> or <c>slow-consumer</c>.</param>
/// <param name="Requested">The last event id the subscriber asked to resume after.</param>
/// <param name="From">Where the replay starts instead.</param>
/// <param name="FirstRetainedId">The id of the oldest retained update, if any.</param>
/// <param name="Message">The same in words.</param>
/// <param name="Missed">How many updates the subscriber's queue dropped.</param>
/// <param name="FirstMissedId">The id of the first update dropped.</param>
/// <param name="LastMissedId">The id of the last update dropped.</param>
internal sealed record ResetNotice(
    string Reason,
    string? Requested,
    string? From,
    string? FirstRetainedId,
    string Message,
    long? Missed = null,
    string? FirstMissedId = null,
    string? LastMissedId = null);
