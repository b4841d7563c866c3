using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Herald.Server.Bench;

/// <summary>
/// A non-blocking socket the load generator reads through its own epoll loop. Connecting and the
/// first exchanges poll it with a deadline instead of using the .NET socket engine, so it never
/// joins a second event loop.
/// </summary>
internal interface IPolledConnection : IDisposable
{
    /// <summary>The socket's descriptor.</summary>
    int Descriptor { get; }

    /// <summary>Reads what the socket has into <paramref name="buffer"/> and handles it; false once the connection has ended.</summary>
    bool ReadAvailable(byte[] buffer);
}

/// <summary>Connecting, sending and waiting on a non-blocking socket with a deadline (a <see cref="Stopwatch"/> timestamp).</summary>
internal static class PolledSocket
{
    /// <summary>A connected non-blocking socket, or the reason it could not connect.</summary>
    public static (Socket? Socket, string? Refusal) Connect(IPEndPoint server, IPAddress? source, long deadline)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, Blocking = false };
        try
        {
            if (source is not null)
            {
                socket.Bind(new IPEndPoint(source, 0));
            }

            try
            {
                socket.Connect(server);
            }
            catch (SocketException exception) when (exception.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                if (!Poll(socket, SelectMode.SelectWrite, deadline))
                {
                    socket.Dispose();
                    return (null, "connect timed out");
                }

                if (socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) is int error && error != 0)
                {
                    socket.Dispose();
                    return (null, ((SocketError)error).ToString());
                }
            }

            return (socket, null);
        }
        catch (SocketException exception)
        {
            socket.Dispose();
            return (null, exception.SocketErrorCode.ToString());
        }
    }

    /// <summary>Sends all of <paramref name="bytes"/>; the reason it could not, or null.</summary>
    public static string? Send(Socket socket, ReadOnlySpan<byte> bytes, long deadline)
    {
        while (!bytes.IsEmpty)
        {
            int sent = socket.Send(bytes, SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                if (!Poll(socket, SelectMode.SelectWrite, deadline))
                {
                    return "send timed out";
                }

                continue;
            }

            if (error != SocketError.Success)
            {
                return error.ToString();
            }

            bytes = bytes[sent..];
        }

        return null;
    }

    /// <summary>Waits until the socket is ready for <paramref name="mode"/>; false at the deadline.</summary>
    public static bool Poll(Socket socket, SelectMode mode, long deadline)
    {
        long remaining = deadline - Stopwatch.GetTimestamp();
        return remaining > 0 && socket.Poll(TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency), mode);
    }
}
