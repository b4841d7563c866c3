using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Herald.Hub.Http;

/// <summary>
/// CORS for the hub's endpoints, from the explicit origin list, with credentials (browsers send
/// the authorization cookie cross-origin only then). Done here rather than by the app's CORS
/// middleware so an embedded hub works without the host configuring anything.
/// </summary>
internal static class HubCors
{
    /// <summary>Adds the CORS response headers when the request's origin is allowed.</summary>
    public static void Apply(HttpContext context, HeraldOptions options)
    {
        StringValues origin = context.Request.Headers.Origin;
        context.Response.Headers.Vary = HeaderNames.Origin;
        if (origin.Count == 1 && IsAllowed(options.CorsOrigins, origin.ToString()))
        {
            IHeaderDictionary headers = context.Response.Headers;
            // Never "*": a wildcard is not allowed with credentials, so the origin is echoed.
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlAllowCredentials = "true";
            headers.AccessControlExposeHeaders = "Last-Event-ID";
        }
    }

    /// <summary>Answers a preflight request.</summary>
    public static Task PreflightAsync(HttpContext context, HeraldOptions options)
    {
        Apply(context, options);
        if (context.Response.Headers.ContainsKey(HeaderNames.AccessControlAllowOrigin))
        {
            IHeaderDictionary headers = context.Response.Headers;
            headers.AccessControlAllowMethods = "GET, POST, OPTIONS";
            headers.AccessControlAllowHeaders = "Authorization, Content-Type, Last-Event-ID, Cache-Control";
            headers.AccessControlMaxAge = "600";
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    /// <summary>Whether <paramref name="origin"/> is in <paramref name="allowed"/> (ordinal,
    /// ignoring ASCII case as origins do), or the list holds <c>*</c>.</summary>
    public static bool IsAllowed(IList<string> allowed, string origin)
    {
        foreach (string entry in allowed)
        {
            if (entry == "*" || string.Equals(entry.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
