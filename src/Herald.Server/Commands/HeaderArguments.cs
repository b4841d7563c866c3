namespace Herald.Server.Commands;

/// <summary>Request headers given on the command line as <c>--header 'Name: value'</c>, for <c>listen</c> and <c>relay</c>.</summary>
internal static class HeaderArguments
{
    /// <summary>Adds each header to <paramref name="target"/>; returns the first one that is not <c>Name: value</c>, or <see langword="null"/>.</summary>
    public static string? AddTo(IEnumerable<string> headers, IDictionary<string, string> target)
    {
        foreach (string header in headers)
        {
            int colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return header;
            }

            target[header[..colon].Trim()] = header[(colon + 1)..].Trim();
        }

        return null;
    }
}
