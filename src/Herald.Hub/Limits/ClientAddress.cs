using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Herald.Hub.Limits;

/// <summary>
/// The address a request's limits are counted against: the connection's remote address (which
/// ASP.NET Core's forwarded headers middleware replaces for trusted proxies, never otherwise), an
/// IPv4-mapped address as IPv4, and an IPv6 address as its /64, since a single host is commonly
/// given a whole /64 and could otherwise take a fresh address for every request.
/// </summary>
internal static class ClientAddress
{
    /// <summary>The request's client address, or <see langword="null"/> when the transport has
    /// none (a Unix socket, an in-memory server): such requests are not limited per address.</summary>
    public static IPAddress? Of(HttpContext context) => Normalize(context.Connection.RemoteIpAddress);

    /// <summary>The address as limits count it.</summary>
    public static IPAddress? Normalize(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}
