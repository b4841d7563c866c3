using System.IO.Pipelines;
using Herald.Sse;
using Herald.Testing;

namespace Herald.Hub.Tests.Delivery;

/// <summary>Reads what a subscriber wrote into a pipe back as items, as a client would parse them.</summary>
internal static class PipeEvents
{
    /// <summary>The next <paramref name="count"/> items the parser yields (events and comments), within the default bound.</summary>
    public static async Task<List<SseItem>> ReadAsync(PipeReader reader, int count)
    {
        var events = new List<SseItem>();
        using CancellationTokenSource bound = Bounded.Wait();
        using var parser = new SseParser();
        await foreach (SseItem item in parser.ReadAsync(reader, bound.Token))
        {
            events.Add(item);
            if (events.Count == count)
            {
                break;
            }
        }

        return events;
    }
}
