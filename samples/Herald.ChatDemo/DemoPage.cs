using System.Reflection;

namespace Herald.ChatDemo;

/// <summary>
/// The page: three embedded files (HTML, script, style), served with no build step. Loading the
/// page also sets the reader cookie, so a second tab opened on an answer's address can read it.
/// </summary>
internal static class DemoPage
{
    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/chat.js", "chat.js", "text/javascript; charset=utf-8"),
        ("/chat.css", "chat.css", "text/css; charset=utf-8"),
    ];

    /// <summary>Maps the page's files.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        foreach ((string path, string resource, string contentType) in Files)
        {
            byte[] content = Read(resource);
            bool isPage = path == "/";
            endpoints.MapGet(path, (HttpContext context, ReaderCookie cookie) =>
            {
                if (isPage)
                {
                    cookie.Set(context);
                }

                HttpResponse response = context.Response;
                response.ContentType = contentType;
                response.Headers.CacheControl = "no-cache";
                response.Headers.XContentTypeOptions = "nosniff";
                response.Headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; form-action 'self'";
                // Not no-referrer: with it a browser sends "Origin: null" on the page's own POSTs, and the hub
                // refuses a Stop authorized by the cookie without the page's origin.
                response.Headers["Referrer-Policy"] = "same-origin";
                return response.Body.WriteAsync(content, context.RequestAborted).AsTask();
            });
        }
    }

    private static byte[] Read(string name)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Herald.ChatDemo.wwwroot." + name)
            ?? throw new InvalidOperationException($"The page's {name} is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
