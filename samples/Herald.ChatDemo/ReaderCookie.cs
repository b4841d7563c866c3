using Herald.Hub;
using Herald.Hub.Authorization;
using Herald.Hub.Streams;
using Microsoft.Extensions.Options;

namespace Herald.ChatDemo;

/// <summary>
/// The page's credential: a subscriber token whose <c>mercure.subscribe</c> allows every answer
/// stream (<see cref="Selector"/>) and nothing else, in the hub's cookie. HttpOnly, so the page's
/// script never sees it; SameSite=Strict and limited to the streams' path, so the browser sends
/// it only with the page's own EventSource and Stop requests. Knowing a stream's id (a UUID) is
/// what lets a reader find an answer.
/// </summary>
internal sealed class ReaderCookie(IOptions<HeraldOptions> hub, IOptions<ChatDemoOptions> demo, TimeProvider time)
{
    /// <summary>The topics the token allows: every token stream.</summary>
    public const string Selector = TokenStreamNames.DefaultPath + "/{id}";

    /// <summary>A fresh token, signed with the hub's subscriber key.</summary>
    public string MintToken(out DateTimeOffset expires)
    {
        expires = time.GetUtcNow() + demo.Value.ReaderTokenLifetime;
        return HubTokenFactory.Create(hub.Value.Authorization.Subscriber, publish: null, subscribe: [Selector], expires: expires);
    }

    /// <summary>Sets the cookie on the response with a fresh token.</summary>
    public void Set(HttpContext context)
    {
        string token = MintToken(out DateTimeOffset expires);
        context.Response.Cookies.Append(hub.Value.Authorization.CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = TokenStreamNames.DefaultPath,
            Expires = expires,
            IsEssential = true,
        });
    }
}
