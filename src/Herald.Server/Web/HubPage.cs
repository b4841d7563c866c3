using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Herald.Server.Web;

/// <summary>
/// The hub's own page at <c>/</c>: subscribe, watch events arrive, publish a test update. One
/// embedded HTML file with no build step; the server fills in the hub's path and, in development
/// mode only, a publisher token.
/// </summary>
internal sealed class HubPage
{
    private readonly string _html;
    private readonly bool _carriesSecret;

    public HubPage(string hubPath, string? devPublisherToken)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Herald.Server.wwwroot.index.html")
            ?? throw new InvalidOperationException("The hub page is missing from the assembly.");
        using var reader = new StreamReader(stream);
        string html = reader.ReadToEnd();
        html = Fill(html, "herald-hub", "/.well-known/mercure", hubPath);
        if (devPublisherToken is not null)
        {
            html = Fill(html, "herald-publisher-token", string.Empty, devPublisherToken);
            _carriesSecret = true;
        }

        _html = html;
    }

    public Task WriteAsync(HttpContext context)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        // A page carrying a token must never be stored by a browser or proxy.
        context.Response.Headers.CacheControl = _carriesSecret ? "no-store" : "no-cache";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        return context.Response.WriteAsync(_html, context.RequestAborted);
    }

    private static string Fill(string html, string metaName, string placeholder, string value)
    {
        string template = $"<meta name=\"{metaName}\" content=\"{placeholder}\">";
        if (!html.Contains(template, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The hub page has no {metaName} meta tag to fill.");
        }

        return html.Replace(template, $"<meta name=\"{metaName}\" content=\"{WebUtility.HtmlEncode(value)}\">", StringComparison.Ordinal);
    }
}
