namespace Herald.Client;

/// <summary>Why a response could not be read as an event stream (see <see cref="EventSourceResponseException"/>).</summary>
public enum EventSourceResponseError
{
    /// <summary>The status was neither 200, 204 nor a followed redirect.</summary>
    UnexpectedStatus,

    /// <summary>A 200 response whose <c>Content-Type</c> is not <c>text/event-stream</c>.</summary>
    UnexpectedContentType,

    /// <summary>A redirect with a missing, empty or non-HTTP <c>Location</c>.</summary>
    InvalidRedirect,

    /// <summary>More redirects in a row than <see cref="EventSourceOptions.MaxRedirects"/>.</summary>
    TooManyRedirects,
}
