using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Herald.Hub.Authorization;

/// <summary>
/// Finds the one token a request presents. As in Mercure, the <c>Authorization</c> header wins
/// over the query parameter, which wins over the cookie; once a place holds a credential the
/// lower ones are not looked at, even if that credential turns out invalid, so a bad header can
/// never fall back to a cookie the browser happened to send.
/// </summary>
internal sealed class RequestTokenReader
{
    private const string BearerPrefix = "Bearer ";

    private readonly string _cookieName;
    private readonly string _queryParameterName;
    private readonly string[] _publishOrigins;

    /// <summary>Creates a reader for the given names.</summary>
    /// <param name="cookieName">The cookie that may carry the token.</param>
    /// <param name="queryParameterName">The query parameter that may carry the token.</param>
    /// <param name="publishOrigins">The origins allowed to use the cookie for state-changing requests; <c>*</c> for any.</param>
    public RequestTokenReader(string cookieName, string queryParameterName, IEnumerable<string> publishOrigins)
    {
        _cookieName = cookieName;
        _queryParameterName = queryParameterName;
        _publishOrigins = [.. publishOrigins];
    }

    /// <summary>Finds the request's credential.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The token and where it came from, an error, or <see cref="PresentedToken.None"/>.</returns>
    public PresentedToken Read(HttpRequest request)
    {
        StringValues header = request.Headers.Authorization;
        if (header.Count > 0)
        {
            return ReadHeader(header);
        }

        if (request.Query.TryGetValue(_queryParameterName, out StringValues query))
        {
            return query.Count != 1
                ? new(null, TokenSource.QueryParameter, $"the request has more than one '{_queryParameterName}' query parameter")
                : string.IsNullOrEmpty(query[0])
                    ? new(null, TokenSource.QueryParameter, $"the '{_queryParameterName}' query parameter is empty")
                    : new(query[0], TokenSource.QueryParameter, null);
        }

        if (request.Cookies.TryGetValue(_cookieName, out string? cookie))
        {
            if (string.IsNullOrEmpty(cookie))
            {
                return new(null, TokenSource.Cookie, $"the '{_cookieName}' cookie is empty");
            }

            return CheckCookieOrigin(request) is { } error
                ? new(null, TokenSource.Cookie, error)
                : new(cookie, TokenSource.Cookie, null);
        }

        return PresentedToken.None;
    }

    private static PresentedToken ReadHeader(StringValues header)
    {
        if (header.Count > 1)
        {
            return new(null, TokenSource.AuthorizationHeader, "the request has more than one Authorization header");
        }

        // The scheme is case-insensitive (RFC 9110 section 11.1), though Mercure itself insists on "Bearer".
        string value = header[0] ?? "";
        string token = value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? value[BearerPrefix.Length..].Trim() : "";
        return token.Length == 0
            ? new(null, TokenSource.AuthorizationHeader, "the Authorization header must be 'Bearer <token>'")
            : new(token, TokenSource.AuthorizationHeader, null);
    }

    /// <summary>
    /// A browser attaches the cookie to requests that other sites trigger, so a request that can
    /// change state (a publish <c>POST</c>) authorized by it must come from an allowed origin.
    /// Read-only methods cannot be abused that way and need no check.
    /// </summary>
    /// <returns>Why the cookie may not be used, or <see langword="null"/> if it may.</returns>
    private string? CheckCookieOrigin(HttpRequest request)
    {
        string method = request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method))
        {
            return null;
        }

        string? origin = request.Headers.Origin.Count == 1 ? request.Headers.Origin[0] : null;
        if (string.IsNullOrEmpty(origin)
            && request.Headers.Referer.Count == 1
            && Uri.TryCreate(request.Headers.Referer[0], UriKind.Absolute, out Uri? referer))
        {
            origin = $"{referer.Scheme}://{referer.Authority}";
        }

        if (string.IsNullOrEmpty(origin))
        {
            return $"a request that changes state and is authorized by the '{_cookieName}' cookie must carry an Origin or Referer header";
        }

        foreach (string allowed in _publishOrigins)
        {
            if (allowed == "*" || string.Equals(allowed.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
        }

        // Neither origin nor method is echoed: they are request input, and the message may end up in a page.
        return $"the request's origin is not allowed to use the '{_cookieName}' cookie for requests that change state";
    }
}
