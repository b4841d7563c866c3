namespace Herald.Client;

/// <summary>The check every client makes of the URL it is given.</summary>
internal static class HttpUrls
{
    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="url"/> is an absolute http or https URL.</summary>
    public static void ThrowIfNotHttp(Uri? url, string what, string paramName)
    {
        if (url is not { IsAbsoluteUri: true } || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The {what} must be an absolute http or https URL; got \"{url}\".", paramName);
        }
    }
}
