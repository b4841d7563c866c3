using System.Collections.Concurrent;
using System.Net;

namespace Herald.Hub.Limits;

/// <summary>
/// How many places each client address holds, up to a cap per address. Lock-free, and an address
/// whose count returns to zero is removed, so the map holds only clients connected now.
/// </summary>
internal sealed class ClientCounter(int maxPerClient)
{
    private readonly ConcurrentDictionary<IPAddress, int> _counts = new();

    /// <summary>The cap per address; 0 for none.</summary>
    public int MaxPerClient { get; } = maxPerClient;

    /// <summary>How many addresses hold a place now.</summary>
    public int ClientCount => _counts.Count;

    /// <summary>How many places <paramref name="client"/> holds now.</summary>
    public int CountOf(IPAddress client) => _counts.TryGetValue(client, out int count) ? count : 0;

    /// <summary>Takes a place for <paramref name="client"/>; false when it holds the most it may.
    /// A request without an address, or a counter without a cap, always gets one and counts
    /// nothing.</summary>
    public bool TryEnter(IPAddress? client)
    {
        if (client is null || MaxPerClient <= 0)
        {
            return true;
        }

        while (true)
        {
            if (_counts.TryGetValue(client, out int count))
            {
                if (count >= MaxPerClient)
                {
                    return false;
                }

                if (_counts.TryUpdate(client, count + 1, count))
                {
                    return true;
                }
            }
            else if (_counts.TryAdd(client, 1))
            {
                return true;
            }
        }
    }

    /// <summary>Gives back a place <see cref="TryEnter"/> took.</summary>
    public void Leave(IPAddress? client)
    {
        if (client is null || MaxPerClient <= 0)
        {
            return;
        }

        while (_counts.TryGetValue(client, out int count))
        {
            // The last place removes the entry only if nobody took another meanwhile; otherwise
            // the loop sees the new count and decrements that.
            if (count <= 1 ? _counts.TryRemove(new KeyValuePair<IPAddress, int>(client, count)) : _counts.TryUpdate(client, count - 1, count))
            {
                return;
            }
        }
    }
}
