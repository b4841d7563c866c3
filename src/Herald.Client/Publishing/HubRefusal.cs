using System.Net;

namespace Herald.Client.Publishing;

/// <summary>Turns a hub's refusal into the exception for its status, for every client that publishes (forms and token streams).</summary>
internal static class HubRefusal
{
    /// <summary>Keeps an error page from a proxy from turning into a megabyte-long exception message.</summary>
    public const int MaxMessageLength = 4096;

    public static HubPublishException Create(HttpStatusCode status, string message, TimeSpan? retryAfter) => status switch
    {
        HttpStatusCode.BadRequest => new HubBadRequestException(message),
        HttpStatusCode.Unauthorized => new HubUnauthorizedException(message),
        HttpStatusCode.Forbidden => new HubForbiddenException(message),
        HttpStatusCode.RequestEntityTooLarge => new HubPayloadTooLargeException(message),
        _ => new HubPublishException(status, message, retryAfter),
    };

    /// <summary>The hub's text without trailing white space, cut at <see cref="MaxMessageLength"/>.</summary>
    public static string Shorten(string text)
    {
        string message = text.TrimEnd();
        return message.Length <= MaxMessageLength ? message : string.Concat(message.AsSpan(0, MaxMessageLength), "…");
    }
}
