using Herald.Hub.Diagnostics;

namespace Herald.Server.Doctor;

/// <summary>Where the diagnostics stream of the hub a URL names lives, seen through the same
/// proxy: the URL may be the diagnostics URL itself, the hub's subscribe URL
/// (<c>.../.well-known/mercure</c>) or the site's base; a path prefix a proxy adds is kept.</summary>
internal static class DiagnosticsUrl
{
    private const string HubSuffix = "/.well-known/mercure";

    public static Uri For(Uri url, int idleSeconds)
    {
        string path = url.AbsolutePath.TrimEnd('/');
        if (path.EndsWith(HubSuffix, StringComparison.Ordinal))
        {
            path = path[..^HubSuffix.Length];
        }

        if (!path.EndsWith(HeraldDiagnostics.DefaultPath, StringComparison.Ordinal))
        {
            path += HeraldDiagnostics.DefaultPath;
        }

        return new UriBuilder(url) { Path = path, Query = $"{HeraldDiagnostics.IdleParameter}={idleSeconds}", Fragment = string.Empty }.Uri;
    }
}
