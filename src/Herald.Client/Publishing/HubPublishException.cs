using System.Net;

namespace Herald.Client.Publishing;

/// <summary>
/// The hub answered a publish with an error status. Specific statuses have their own subclasses
/// (<see cref="HubBadRequestException"/>, <see cref="HubUnauthorizedException"/>,
/// <see cref="HubForbiddenException"/>, <see cref="HubPayloadTooLargeException"/>); every other
/// status, such as a 503 left after the retries, is this class itself.
/// </summary>
public class HubPublishException : Exception
{
    /// <summary>Creates the exception for an answer of the hub.</summary>
    /// <param name="statusCode">The status the hub answered with.</param>
    /// <param name="hubMessage">The text of the hub's answer, which says what was wrong; may be empty.</param>
    /// <param name="retryAfter">How long the hub asked the publisher to wait (<c>Retry-After</c>), if it said.</param>
    public HubPublishException(HttpStatusCode statusCode, string hubMessage, TimeSpan? retryAfter = null)
        : base(Describe(statusCode, hubMessage))
    {
        ArgumentNullException.ThrowIfNull(hubMessage);
        StatusCode = statusCode;
        HubMessage = hubMessage;
        RetryAfter = retryAfter;
    }

    /// <summary>The status the hub answered with.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The text of the hub's answer (trailing line breaks removed); empty when it sent none.</summary>
    public string HubMessage { get; }

    /// <summary>How long the hub asked the publisher to wait before trying again, if it said.</summary>
    public TimeSpan? RetryAfter { get; }

    private static string Describe(HttpStatusCode statusCode, string? hubMessage) =>
        string.IsNullOrEmpty(hubMessage)
            ? $"The hub refused the update with {(int)statusCode} {statusCode} and no message."
            : $"The hub refused the update with {(int)statusCode} {statusCode}: {hubMessage}";
}
