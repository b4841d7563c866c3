namespace Herald.Hub.Http;

/// <summary>The data of a <c>herald-reset</c> event.</summary>
/// <param name="Reason">Why the replay could not resume where asked.</param>
/// <param name="Requested">The last event id the subscriber asked to resume after.</param>
/// <param name="From">Where the replay starts instead.</param>
/// <param name="FirstRetainedId">The id of the oldest retained update, if any.</param>
/// <param name="Message">The same in words.</param>
internal sealed record ResetNotice(string Reason, string Requested, string From, string? FirstRetainedId, string Message);
