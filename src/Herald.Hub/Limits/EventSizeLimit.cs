using System.Text;

namespace Herald.Hub.Limits;

/// <summary>The one rule for how large an event may be, for the publish and the streaming publish alike.</summary>
internal static class EventSizeLimit
{
    /// <summary>The largest event in bytes: <see cref="HeraldLimitsOptions.MaxEventSize"/>, and
    /// never more than a publish body may carry.</summary>
    public static int MaxBytes(HeraldOptions options) =>
        (int)Math.Min(int.MaxValue, Math.Min(options.Limits.MaxEventSize, options.MaxPublishBodySize));

    /// <summary>Why <paramref name="data"/> is too large to publish, or <see langword="null"/>.</summary>
    public static string? DescribeTooLarge(string data, HeraldOptions options)
    {
        int max = MaxBytes(options);
        // The UTF-8 size is at most three bytes per char: only a long string needs counting.
        if ((long)data.Length * 3 <= max)
        {
            return null;
        }

        int size = Encoding.UTF8.GetByteCount(data);
        return size <= max ? null : $"The update's data is {size} bytes; the hub accepts events of at most {max} bytes.";
    }
}
