namespace Herald.Hub.Delivery;

/// <summary>
/// The default cap on connected subscribers. A Kestrel process that runs out of file descriptors
/// fails hard, so the cap stays a margin below the process's limit: publishers, the store and
/// the runtime keep descriptors to work with when subscribers are at the cap.
/// </summary>
internal static class SubscriberCap
{
    /// <summary>Used where the limit cannot be read.</summary>
    private const int Fallback = 10_000;

    public static int FromDescriptorLimit() => FromDescriptorLimit(ReadSoftDescriptorLimit());

    /// <summary>A tenth of the limit (at least 256) is kept back.</summary>
    public static int FromDescriptorLimit(long? limit) =>
        limit is { } value && value > 512
            ? (int)Math.Min(int.MaxValue, value - Math.Max(256, value / 10))
            : Fallback;

    /// <summary>Reads the soft "Max open files" limit from <c>/proc/self/limits</c> on Linux.</summary>
    private static long? ReadSoftDescriptorLimit()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    string[] parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.TryParse(parts[0], out long soft) ? soft : null;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
