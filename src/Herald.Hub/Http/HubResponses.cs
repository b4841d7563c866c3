using System.Globalization;
using Herald.Hub.Authorization;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Herald.Hub.Http;

/// <summary>The hub's error answers: a status and a plain-text message saying what was wrong.</summary>
internal static class HubResponses
{
    public static Task ErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }

    /// <summary>401 for a request whose token was missing (<paramref name="whenMissing"/> says what
    /// is needed) or invalid (the authorizer's reason).</summary>
    public static Task UnauthorizedAsync(HttpContext context, HubAuthorizationResult authorization, string whenMissing)
    {
        bool invalid = authorization.Status == HubAuthorizationStatus.Invalid;
        return UnauthorizedAsync(context, invalid ? authorization.Error ?? "The token is invalid." : whenMissing, invalid);
    }

    /// <summary>503 with <c>Retry-After</c> in whole seconds: the hub cannot take this request now.</summary>
    public static Task UnavailableAsync(HttpContext context, TimeSpan retryAfter, string message)
    {
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, message);
    }

    /// <summary>429 with <c>Retry-After</c> in whole seconds, at least one: this client is past one
    /// of the hub's limits, and may come back after that long.</summary>
    public static Task TooManyRequestsAsync(HttpContext context, TimeSpan retryAfter, string message)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return ErrorAsync(context, StatusCodes.Status429TooManyRequests, message);
    }

    /// <summary>503 while the hub drains (it is shutting down): the client comes back after
    /// <c>Retry-After</c>, on a new connection (this one closes after the answer) that a load
    /// balancer can send to another node.</summary>
    public static Task DrainingAsync(HttpContext context, TimeSpan retryAfter)
    {
        CloseConnectionAfterResponse(context);
        return UnavailableAsync(context, retryAfter, "The hub is shutting down; retry later.");
    }

    /// <summary>Asks the server not to keep the connection alive after this response (HTTP/1.x),
    /// so a client's next request does not reach this hub again through it.</summary>
    public static void CloseConnectionAfterResponse(HttpContext context) =>
        context.Features.Get<IConnectionLifetimeNotificationFeature>()?.RequestClose();

    /// <summary>401 with the <c>WWW-Authenticate: Bearer</c> challenge RFC 6750 defines; an
    /// invalid token also gets <c>error="invalid_token"</c>.</summary>
    public static Task UnauthorizedAsync(HttpContext context, string message, bool invalidToken)
    {
        context.Response.Headers[HeaderNames.WWWAuthenticate] = invalidToken
            ? $"Bearer error=\"invalid_token\", error_description=\"{message.Replace('"', '\'')}\""
            : "Bearer";
        return ErrorAsync(context, StatusCodes.Status401Unauthorized, message);
    }
}
