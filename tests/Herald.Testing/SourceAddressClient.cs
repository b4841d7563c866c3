using System.Net;
using System.Net.Sockets;

namespace Herald.Testing;

/// <summary>
/// An <see cref="HttpClient"/> whose connections leave from a chosen local address, so one test
/// machine can be several clients to a server's per-address limits: on Linux every address of
/// 127.0.0.0/8 is loopback, and a socket bound to 127.0.0.2 reaches a server on 127.0.0.1 as a
/// different client.
/// </summary>
public static class SourceAddressClient
{
    /// <summary>A second loopback client address.</summary>
    public static readonly IPAddress Second = IPAddress.Parse("127.0.0.2");

    /// <summary>A client for <paramref name="baseAddress"/> whose connections come from <paramref name="source"/>.</summary>
    public static HttpClient Create(IPAddress source, Uri baseAddress)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(source.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Bounded.DefaultWait };
    }
}
