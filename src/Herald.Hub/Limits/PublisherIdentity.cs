using System.Security.Cryptography;
using System.Text;
using Herald.Hub.Authorization;
using Microsoft.AspNetCore.Http;

namespace Herald.Hub.Limits;

/// <summary>
/// Who a publish is counted against for the per-token rate: the token's <c>sub</c> (so tokens
/// minted afresh for the same publisher share one budget), else a hash of the token itself (the
/// token is never kept).
/// </summary>
internal static class PublisherIdentity
{
    /// <summary>The publisher's key, or <see langword="null"/> when an authorizer of the
    /// application's own granted the request without a token to count.</summary>
    public static string? Of(HttpRequest request, HubAuthorizationResult authorization, HeraldAuthorizationOptions names)
    {
        if (authorization.Claims?.Subject is { Length: > 0 } subject)
        {
            return "sub:" + subject;
        }

        string? credential = authorization.TokenSource switch
        {
            TokenSource.AuthorizationHeader => request.Headers.Authorization.ToString(),
            TokenSource.QueryParameter => request.Query[names.QueryParameterName].ToString(),
            TokenSource.Cookie => request.Cookies[names.CookieName],
            _ => null,
        };

        return string.IsNullOrEmpty(credential) ? null : "jwt:" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(credential)));
    }
}
