using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Herald.Server.Bench;

/// <summary>
/// One cleartext HTTP/2 connection (prior knowledge) carrying many subscriber streams, spoken by
/// hand: the client preface and settings, one HEADERS frame per stream (HPACK literals, no
/// dynamic table), then a frame reader that hands DATA payloads to their stream's scanner,
/// answers SETTINGS and PING, and notes RST_STREAM, GOAWAY and ends of stream. Flow control is
/// opened wide once (2^31-1 for the connection and every stream) and topped up on the connection
/// as data is read, so the server never waits on the load generator's window. Read by the
/// worker's <see cref="ReceiveLoop"/>: one <c>recv</c> brings frames of many streams.
/// </summary>
internal sealed class Http2Connection : IPolledConnection
{
    private const int FrameHeaderSize = 9;
    private const int MaxWindow = int.MaxValue;
    private const int DefaultWindow = 65_535;
    private const byte Data = 0x0, Headers = 0x1, ResetStream = 0x3, Settings = 0x4, Ping = 0x6, GoAway = 0x7, WindowUpdate = 0x8;
    private const byte EndStream = 0x1, Ack = 0x1, EndHeaders = 0x4, Padded = 0x8, Priority = 0x20;

    private static readonly byte[] Preface = Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

    private readonly Socket _socket;
    private readonly Action<Http2Subscriber> _answered;
    private readonly byte[] _header = new byte[FrameHeaderSize];
    private readonly byte[] _control = new byte[16_384];
    private Http2Subscriber[] _streams = [];
    private int _headerLength;
    private byte _type;
    private byte _flags;
    private int _streamId;
    private int _remaining;
    private int _padding;
    private bool _padLengthPending;
    private int _controlLength;
    private long _unacknowledged;

    private Http2Connection(Socket socket, Action<Http2Subscriber> answered)
    {
        _socket = socket;
        _answered = answered;
    }

    /// <summary>How many streams the server lets the connection open (its SETTINGS_MAX_CONCURRENT_STREAMS).</summary>
    public int MaxStreams { get; private set; } = int.MaxValue;

    public int Descriptor => (int)_socket.SafeHandle.DangerousGetHandle();

    private bool SettingsReceived { get; set; }

    /// <summary>
    /// Connects and exchanges the prefaces and settings by <paramref name="deadline"/>; the
    /// connection, or the reason it failed. <paramref name="answered"/> is told as each stream's
    /// answer comes.
    /// </summary>
    public static (Http2Connection? Connection, string? Refusal) Connect(IPEndPoint server, IPAddress? source, long deadline, byte[] buffer, Action<Http2Subscriber> answered)
    {
        (Socket? socket, string? refusal) = PolledSocket.Connect(server, source, deadline);
        if (socket is null)
        {
            return (null, refusal);
        }

        var connection = new Http2Connection(socket, answered);
        var opening = new ArrayBufferWriter<byte>();
        opening.Write(Preface);
        WriteFrameHeader(opening, 12, Settings, 0, 0);
        WriteSetting(opening, 0x2, 0);          // SETTINGS_ENABLE_PUSH: no pushes.
        WriteSetting(opening, 0x4, MaxWindow);  // SETTINGS_INITIAL_WINDOW_SIZE: every stream's window wide open.
        WriteFrameHeader(opening, 4, WindowUpdate, 0, 0);
        WriteInt32(opening, MaxWindow - DefaultWindow);
        if (PolledSocket.Send(socket, opening.WrittenSpan, deadline) is { } failure)
        {
            connection.Dispose();
            return (null, failure);
        }

        // The server's preface is its SETTINGS frame; read until it has come.
        while (!connection.SettingsReceived)
        {
            if (!PolledSocket.Poll(socket, SelectMode.SelectRead, deadline))
            {
                connection.Dispose();
                return (null, "no HTTP/2 settings in time");
            }

            int read = Epoll.Receive(connection.Descriptor, buffer);
            if (read == 0)
            {
                connection.Dispose();
                return (null, "closed before the HTTP/2 settings (the server may not speak h2c)");
            }

            if (read > 0)
            {
                connection.Process(buffer.AsSpan(0, read));
            }
        }

        return (connection, null);
    }

    /// <summary>Opens one stream per subscriber (at most <see cref="MaxStreams"/>); the reason the requests could not be sent, or null.</summary>
    public string? Open(Http2Subscriber[] streams, string authority, string? token, long deadline)
    {
        _streams = streams;
        var requests = new ArrayBufferWriter<byte>();
        for (int i = 0; i < streams.Length; i++)
        {
            WriteRequest(requests, (2 * i) + 1, streams[i].Path, authority, token);
        }

        return PolledSocket.Send(_socket, requests.WrittenSpan, deadline);
    }

    public bool ReadAvailable(byte[] buffer)
    {
        int read = Epoll.Receive(Descriptor, buffer);
        if (read < 0)
        {
            return true;
        }

        if (read > 0)
        {
            try
            {
                Process(buffer.AsSpan(0, read));
                return true;
            }
            catch (InvalidDataException)
            {
            }
        }

        foreach (Http2Subscriber stream in _streams)
        {
            EndStreamOf(stream, "connection closed");
        }

        return false;
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>Reads frames incrementally, whatever way the reads split them.</summary>
    private void Process(ReadOnlySpan<byte> input)
    {
        while (!input.IsEmpty)
        {
            if (_headerLength < FrameHeaderSize)
            {
                int take = Math.Min(FrameHeaderSize - _headerLength, input.Length);
                input[..take].CopyTo(_header.AsSpan(_headerLength));
                _headerLength += take;
                input = input[take..];
                if (_headerLength < FrameHeaderSize)
                {
                    return;
                }

                _remaining = (_header[0] << 16) | (_header[1] << 8) | _header[2];
                _type = _header[3];
                _flags = _header[4];
                _streamId = BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(5)) & int.MaxValue;
                _controlLength = 0;
                _padding = 0;
                _padLengthPending = _type == Data && (_flags & Padded) != 0;
                if (_type == Data)
                {
                    Acknowledge(_remaining);
                }
            }
            else if (_type == Data)
            {
                if (_padLengthPending)
                {
                    _padding = input[0];
                    _padLengthPending = false;
                    input = input[1..];
                    _remaining--;
                    continue;
                }

                int data = Math.Min(_remaining - _padding, input.Length);
                if (data > 0 && StreamOf(_streamId) is { } stream)
                {
                    stream.Receive(input[..data]);
                }

                int consumed = Math.Min(_remaining, input.Length);
                input = input[consumed..];
                _remaining -= consumed;
            }
            else
            {
                int take = Math.Min(_remaining, input.Length);
                int kept = Math.Min(take, _control.Length - _controlLength);
                input[..kept].CopyTo(_control.AsSpan(_controlLength));
                _controlLength += kept;
                input = input[take..];
                _remaining -= take;
            }

            if (_remaining == 0 && !_padLengthPending)
            {
                FrameDone();
                _headerLength = 0;
            }
        }
    }

    private void FrameDone()
    {
        ReadOnlySpan<byte> payload = _control.AsSpan(0, _controlLength);
        switch (_type)
        {
            case Data when (_flags & EndStream) != 0:
                EndStreamOf(StreamOf(_streamId), "stream ended");
                break;
            case Headers when StreamOf(_streamId) is { } stream:
                if (!stream.Answered)
                {
                    stream.Answer(StatusRefusal(HeaderBlock(payload)));
                    _answered(stream);
                }

                if ((_flags & EndStream) != 0)
                {
                    stream.End();
                }

                break;
            case ResetStream:
                EndStreamOf(StreamOf(_streamId), "RST_STREAM");
                break;
            case Settings when (_flags & Ack) == 0:
                for (int i = 0; i + 6 <= payload.Length; i += 6)
                {
                    if (BinaryPrimitives.ReadUInt16BigEndian(payload[i..]) == 0x3)
                    {
                        MaxStreams = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(payload[(i + 2)..]));
                    }
                }

                SendControl(Settings, Ack, []);
                SettingsReceived = true;
                break;
            case Ping when (_flags & Ack) == 0 && payload.Length == 8:
                SendControl(Ping, Ack, payload);
                break;
            case GoAway when payload.Length >= 4:
                int last = BinaryPrimitives.ReadInt32BigEndian(payload) & int.MaxValue;
                foreach (Http2Subscriber stream in _streams.Where((_, index) => (2 * index) + 1 > last))
                {
                    EndStreamOf(stream, "GOAWAY");
                }

                break;
        }
    }

    private Http2Subscriber? StreamOf(int streamId) =>
        (streamId & 1) == 1 && (streamId - 1) / 2 < _streams.Length ? _streams[(streamId - 1) / 2] : null;

    /// <summary>Ends a stream: refused if it had no answer yet, else cut short.</summary>
    private void EndStreamOf(Http2Subscriber? stream, string reason)
    {
        if (stream is null)
        {
            return;
        }

        if (!stream.Answered)
        {
            stream.Answer(reason);
            _answered(stream);
        }
        else
        {
            stream.End();
        }
    }

    /// <summary>The header block of a HEADERS frame, without its padding and priority fields.</summary>
    private ReadOnlySpan<byte> HeaderBlock(ReadOnlySpan<byte> payload)
    {
        int padding = 0;
        if ((_flags & Padded) != 0 && !payload.IsEmpty)
        {
            padding = payload[0];
            payload = payload[1..];
        }

        if ((_flags & Priority) != 0)
        {
            payload = payload[Math.Min(5, payload.Length)..];
        }

        return payload[..Math.Max(0, payload.Length - padding)];
    }

    /// <summary>
    /// Null for <c>:status 200</c>, which every server sends first and as the static table's
    /// entry 8; else the status as a refusal. Only the first header field is read.
    /// </summary>
    private static string? StatusRefusal(ReadOnlySpan<byte> block)
    {
        if (block.IsEmpty)
        {
            return "empty response head";
        }

        ReadOnlySpan<int> indexed = [200, 204, 206, 304, 400, 404, 500];
        if (block[0] is >= 0x88 and <= 0x8e)
        {
            int status = indexed[block[0] - 0x88];
            return status == 200 ? null : $"HTTP {status}";
        }

        // A literal with the name :status (index 8): with incremental indexing, without, never indexed.
        if (block.Length >= 5 && block[0] is 0x48 or 0x08 or 0x18 && block[1] == 3 && Utf8Parser.TryParse(block.Slice(2, 3), out int literal, out _))
        {
            return literal == 200 ? null : $"HTTP {literal}";
        }

        return "HTTP status not readable";
    }

    /// <summary>Gives the bytes of DATA frames back to the connection's window once a gigabyte has been read.</summary>
    private void Acknowledge(int bytes)
    {
        _unacknowledged += bytes;
        if (_unacknowledged >= 1 << 30)
        {
            Span<byte> increment = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(increment, (int)_unacknowledged);
            SendControl(WindowUpdate, 0, increment);
            _unacknowledged = 0;
        }
    }

    private void SendControl(byte type, byte flags, ReadOnlySpan<byte> payload)
    {
        var frame = new ArrayBufferWriter<byte>(FrameHeaderSize + payload.Length);
        WriteFrameHeader(frame, payload.Length, type, flags, 0);
        frame.Write(payload);
        _ = _socket.Send(frame.WrittenSpan, SocketFlags.None, out SocketError _);
    }

    /// <summary>A GET as one HEADERS frame: HPACK literals without indexing, names from the static table.</summary>
    private static void WriteRequest(ArrayBufferWriter<byte> output, int streamId, string path, string authority, string? token)
    {
        var block = new ArrayBufferWriter<byte>(256);
        block.Write<byte>([0x82, 0x86]);              // :method GET, :scheme http
        WriteLiteral(block, 4, path);           // :path
        WriteLiteral(block, 1, authority);      // :authority
        WriteLiteral(block, 19, "text/event-stream");  // accept
        WriteLiteral(block, 24, "no-cache");    // cache-control
        if (token is not null)
        {
            WriteLiteral(block, 23, "Bearer " + token);  // authorization
        }

        WriteFrameHeader(output, block.WrittenCount, Headers, EndStream | EndHeaders, streamId);
        output.Write(block.WrittenSpan);
    }

    /// <summary>A literal header field without indexing, its name the static table's entry <paramref name="nameIndex"/>.</summary>
    private static void WriteLiteral(ArrayBufferWriter<byte> block, int nameIndex, string value)
    {
        WriteInteger(block, nameIndex, 4, 0x00);
        byte[] bytes = Encoding.ASCII.GetBytes(value);
        WriteInteger(block, bytes.Length, 7, 0x00);
        block.Write(bytes);
    }

    /// <summary>An HPACK integer with an N-bit prefix.</summary>
    private static void WriteInteger(ArrayBufferWriter<byte> block, int value, int prefixBits, byte mask)
    {
        int max = (1 << prefixBits) - 1;
        if (value < max)
        {
            block.Write<byte>([(byte)(mask | value)]);
            return;
        }

        block.Write<byte>([(byte)(mask | max)]);
        for (value -= max; value >= 128; value >>= 7)
        {
            block.Write<byte>([(byte)((value & 127) | 128)]);
        }

        block.Write<byte>([(byte)value]);
    }

    private static void WriteFrameHeader(ArrayBufferWriter<byte> output, int length, byte type, byte flags, int streamId)
    {
        Span<byte> header = output.GetSpan(FrameHeaderSize);
        header[0] = (byte)(length >> 16);
        header[1] = (byte)(length >> 8);
        header[2] = (byte)length;
        header[3] = type;
        header[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(header[5..], streamId);
        output.Advance(FrameHeaderSize);
    }

    private static void WriteSetting(ArrayBufferWriter<byte> output, ushort id, int value)
    {
        Span<byte> setting = output.GetSpan(6);
        BinaryPrimitives.WriteUInt16BigEndian(setting, id);
        BinaryPrimitives.WriteInt32BigEndian(setting[2..], value);
        output.Advance(6);
    }

    private static void WriteInt32(ArrayBufferWriter<byte> output, int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), value);
        output.Advance(4);
    }
}
