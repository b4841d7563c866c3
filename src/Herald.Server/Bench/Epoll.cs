using System.Runtime.InteropServices;

namespace Herald.Server.Bench;

/// <summary>
/// The few Linux calls the HTTP/1.1 receive loop makes itself: a level-triggered epoll set over
/// every subscriber socket of a worker and plain <c>recv</c>. One <c>epoll_wait</c> hands back
/// hundreds of ready sockets and each costs one <c>recv</c>, where the .NET socket engine would
/// pay a thread hop, a state machine and a second, empty <c>recv</c> per read.
/// </summary>
internal static partial class Epoll
{
    private const uint In = 0x001;
    private const uint ReadHangUp = 0x2000;
    private const int Add = 1;
    private const int Delete = 2;
    private const int CloseOnExec = 0x80000;
    private const int Interrupted = 4;
    private const int WouldBlock = 11;

    /// <summary>The size of one <c>struct epoll_event</c>: packed (12 bytes) on x86-64, 16 elsewhere.</summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private static readonly int DataOffset = EventSize - 8;

    /// <summary>A new epoll set.</summary>
    public static int Create()
    {
        int descriptor = epoll_create1(CloseOnExec);
        return descriptor >= 0 ? descriptor : throw new IOException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}.");
    }

    /// <summary>Watches <paramref name="socket"/> for input, tagged with <paramref name="tag"/>.</summary>
    public static unsafe void Watch(int set, int socket, ulong tag)
    {
        byte* entry = stackalloc byte[16];
        *(uint*)entry = In | ReadHangUp;
        *(ulong*)(entry + DataOffset) = tag;
        if (epoll_ctl(set, Add, socket, entry) != 0)
        {
            throw new IOException($"epoll_ctl failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Stops watching <paramref name="socket"/>.</summary>
    public static unsafe void Forget(int set, int socket)
    {
        byte* entry = stackalloc byte[16];
        _ = epoll_ctl(set, Delete, socket, entry);
    }

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> for ready sockets; how many entries of <paramref name="events"/> were filled.</summary>
    public static unsafe int Wait(int set, byte[] events, int timeoutMilliseconds)
    {
        fixed (byte* buffer = events)
        {
            int ready = epoll_wait(set, buffer, events.Length / EventSize, timeoutMilliseconds);
            if (ready >= 0)
            {
                return ready;
            }

            int error = Marshal.GetLastPInvokeError();
            return error == Interrupted ? 0 : throw new IOException($"epoll_wait failed: errno {error}.");
        }
    }

    /// <summary>The tag of entry <paramref name="index"/> of a <see cref="Wait"/>. Its flags are not
    /// read: whatever woke a socket (data, end, error), reading it tells.</summary>
    public static ulong TagOf(byte[] events, int index) =>
        MemoryMarshal.Read<ulong>(events.AsSpan((index * EventSize) + DataOffset, 8));

    /// <summary>Reads what <paramref name="socket"/> has: the byte count, -1 when nothing is there
    /// yet, or 0 at its end, whether the peer closed it or the connection broke (reset).</summary>
    public static unsafe int Receive(int socket, Span<byte> buffer)
    {
        fixed (byte* bytes = buffer)
        {
            nint read = recv(socket, bytes, buffer.Length, 0);
            if (read >= 0)
            {
                return (int)read;
            }

            return Marshal.GetLastPInvokeError() is WouldBlock or Interrupted ? -1 : 0;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int epoll_ctl(int set, int operation, int descriptor, byte* entry);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int epoll_wait(int set, byte* events, int capacity, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint recv(int descriptor, byte* buffer, nint length, int flags);
}
