using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace Herald.Sse;

/// <summary>
/// An incremental parser of <c>text/event-stream</c> bytes that follows the WHATWG HTML
/// "Server-sent events" processing model exactly. Feed it bytes as they arrive with
/// <see cref="Append(ReadOnlySpan{byte})"/>, take what it found with <see cref="TryRead"/>, and
/// call <see cref="Complete"/> at the end of the stream; or let one of the <c>Read</c> methods
/// drive it over a <see cref="Stream"/> or a <see cref="System.IO.Pipelines.PipeReader"/>.
/// </summary>
/// <remarks>
/// <para>
/// Where the in-box <c>System.Net.ServerSentEvents.SseParser</c> departs from the specification,
/// this one does not: an empty <c>event</c> field gives the type <c>message</c>, and the last
/// event ID string changes only when an event block ends (an <c>id</c>-only block sets it; an
/// unfinished block at the end of the stream never does), so a client that reconnects with it
/// never skips an event.
/// </para>
/// <para>Instances are not thread-safe. Dispose the parser to return its pooled buffers.</para>
/// </remarks>
public sealed partial class SseParser : IDisposable
{
    private const byte LF = (byte)'\n';
    private const byte CR = (byte)'\r';

    // Field names as little-endian integers ("even" and "retr" are completed by their fifth byte).
    private const uint DataField = 'd' | ('a' << 8) | ('t' << 16) | ('a' << 24);
    private const uint EvenField = 'e' | ('v' << 8) | ('e' << 16) | ('n' << 24);
    private const uint RetrField = 'r' | ('e' << 8) | ('t' << 16) | ('r' << 24);
    private const ushort IdField = 'i' | ('d' << 8);

    private readonly int _maxEventSize;

    // Items in stream order: the oldest in a single slot, which is all a reader that takes each
    // item as it completes ever needs, and any more behind it in the queue.
    private readonly Queue<SseItem> _ready = new();
    private SseItem _next;
    private bool _hasNext;

    // The line being read when a chunk ended inside it, and the data buffer of the current
    // block with an LF after each data line (so "empty" means "no data field was seen"). The
    // data starts at _dataStart: a data line read into _line becomes the data buffer by a swap,
    // its "data:" prefix and all, rather than by a copy.
    private PooledByteBuffer _line;
    private PooledByteBuffer _data;
    private int _dataStart;

    // A block's first data line, while it still lies in the chunk being parsed: decoded from
    // there if the block ends in the same chunk, and copied into _data only if it does not.
    private int _chunkDataStart;
    private int _chunkDataLength = NoChunkData;
    private const int NoChunkData = -1;
    private Utf8StringCache _types;
    private Utf8StringCache _ids;

    private string? _eventType;
    private string _lastEventIdBuffer;
    private long? _blockRetry;

    private int _bomBytesSeen;
    private bool _pastStreamStart;
    private bool _skipLineFeed;
    private bool _completed;
    private bool _faulted;

    /// <summary>Creates a parser for one stream.</summary>
    /// <param name="options">Limits and the initial last event ID; defaults when omitted.</param>
    public SseParser(SseParserOptions? options = null)
    {
        options ??= SseParserOptions.Default;
        _maxEventSize = options.MaxEventSize;
        _lastEventIdBuffer = LastEventId = options.LastEventId;
    }

    /// <summary>
    /// The last event ID string after all the bytes appended so far: the value a client sends as
    /// <c>Last-Event-ID</c> when it reconnects. Each <see cref="SseItem"/> carries the value it
    /// had when that item was reached.
    /// </summary>
    public string LastEventId { get; private set; }

    /// <summary>
    /// The reconnection time in milliseconds from the last valid <c>retry</c> field, or
    /// <see langword="null"/> when none was seen. It takes effect as the field is read, whether or
    /// not its block dispatches an event.
    /// </summary>
    public long? Retry { get; private set; }

    /// <summary>The number of parsed items waiting to be taken with <see cref="TryRead"/>.</summary>
    public int Count => (_hasNext ? 1 : 0) + _ready.Count;

    /// <summary>Parses the next bytes of the stream; the items they complete become readable.</summary>
    /// <param name="bytes">Any slice of the stream: chunks may split lines, CRLF pairs, UTF-8
    /// sequences and the byte order mark anywhere.</param>
    /// <exception cref="SseEventTooLargeException">An event outgrew the maximum event size.</exception>
    /// <exception cref="InvalidOperationException">The stream was completed, or the parser failed.</exception>
    public void Append(ReadOnlySpan<byte> bytes) => Consume(bytes, stopAtFirstItem: false);

    /// <summary>
    /// Parses lines from <paramref name="bytes"/> until one of them completes an item, and says how
    /// many bytes that took, so that readers hand out items as they go and the queue stays small.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int AppendUntilItem(ReadOnlySpan<byte> bytes) => Consume(bytes, stopAtFirstItem: true);

    /// <summary>
    /// Ends the stream: an unfinished event is discarded, as the specification requires, and its
    /// id never becomes the last event ID string.
    /// </summary>
    public void Complete()
    {
        _completed = true;
        _line.Clear();
        ResetBlock();
    }

    /// <summary>Takes the next parsed item, in stream order.</summary>
    /// <param name="item">The item, when one is ready.</param>
    /// <returns>Whether an item was ready.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead(out SseItem item)
    {
        if (_hasNext)
        {
            item = _next;
            _hasNext = false;
            return true;
        }

        return _ready.TryDequeue(out item);
    }

    /// <summary>Returns the pooled buffers.</summary>
    public void Dispose()
    {
        _line.Dispose();
        _data.Dispose();
        _ready.Clear();
        _next = default;
        _hasNext = false;
        _completed = true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Consume(ReadOnlySpan<byte> bytes, bool stopAtFirstItem)
    {
        if (_completed || _faulted)
        {
            ThrowUnusable();
        }

        int length = bytes.Length;
        if (!_pastStreamStart)
        {
            bytes = SkipByteOrderMark(bytes);
        }

        return length - ParseLines(bytes, stopAtFirstItem).Length;
    }

    [DoesNotReturn]
    private void ThrowUnusable() => throw new InvalidOperationException(_faulted
        ? "The parser failed on an earlier chunk and cannot go on."
        : "The stream was already completed.");

    /// <summary>Strips one UTF-8 byte order mark at the very start, also when split across chunks.</summary>
    private ReadOnlySpan<byte> SkipByteOrderMark(ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        while (!bytes.IsEmpty)
        {
            if (bytes[0] != bom[_bomBytesSeen])
            {
                // Not a BOM after all: the bytes held back are ordinary content.
                _pastStreamStart = true;
                ParseLines(bom[.._bomBytesSeen], stopAtFirstItem: false);
                return bytes;
            }

            bytes = bytes[1..];
            if (++_bomBytesSeen == bom.Length)
            {
                _pastStreamStart = true;
                return bytes;
            }
        }

        return bytes;
    }

    /// <summary>Parses whole lines and keeps a trailing partial one; returns what is left unparsed.</summary>
    private ReadOnlySpan<byte> ParseLines(ReadOnlySpan<byte> chunk, bool stopAtFirstItem)
    {
        int position = 0;

        // A CR that ended the previous chunk ended its line already; an LF right after it is
        // the second half of the same CRLF.
        if (_skipLineFeed && !chunk.IsEmpty)
        {
            _skipLineFeed = false;
            if (chunk[0] == LF)
            {
                position = 1;
            }
        }

        while (position < chunk.Length)
        {
            // Every event ends with a blank line: one byte tells, with no search and no field parsing.
            int length = chunk[position] is LF or CR ? 0 : chunk[position..].IndexOfAny(CR, LF);
            if (length < 0)
            {
                EnsureWithinLimit(_line.Length + chunk.Length - position);
                _line.Append(chunk[position..]);
                position = chunk.Length;
                break;
            }

            EnsureWithinLimit(_line.Length + length);
            if (_line.Length == 0)
            {
                if (length == 0)
                {
                    DispatchEvent(chunk);
                }
                else
                {
                    ProcessLine(chunk, position, length, inLineBuffer: false);
                }
            }
            else
            {
                _line.Append(chunk.Slice(position, length));
                ProcessLine(_line.Span, 0, _line.Length, inLineBuffer: true);
                _line.Clear();
            }

            position += length;
            if (chunk[position] == CR)
            {
                if (position + 1 == chunk.Length)
                {
                    _skipLineFeed = true;
                }
                else if (chunk[position + 1] == LF)
                {
                    position++;
                }
            }

            position++;
            if (stopAtFirstItem && Count > 0)
            {
                break;
            }
        }

        // The chunk is about to go away: a data line still pointing into it moves into _data.
        KeepChunkData(chunk);
        return chunk[position..];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureWithinLimit(int lineLength)
    {
        long held = (long)lineLength + _data.Length + (_chunkDataLength == NoChunkData ? 0 : _chunkDataLength + 1);
        if (held > _maxEventSize)
        {
            FailEventTooLarge();
        }
    }

    /// <summary>
    /// The one way parsing fails: the parser stops for good, since it cannot resynchronize in
    /// the middle of an event. Kept out of the callers so the checks on the per-line path inline.
    /// </summary>
    [DoesNotReturn]
    private void FailEventTooLarge()
    {
        _faulted = true;
        throw new SseEventTooLargeException(_maxEventSize);
    }

    /// <summary>Processes the line at <paramref name="source"/>[start..start+length].</summary>
    /// <param name="source">The chunk being parsed, or the line buffer.</param>
    /// <param name="start">Where the line starts in <paramref name="source"/>.</param>
    /// <param name="length">The line's length, without its end.</param>
    /// <param name="inLineBuffer">Whether <paramref name="source"/> is <see cref="_line"/>.</param>
    private void ProcessLine(ReadOnlySpan<byte> source, int start, int length, bool inLineBuffer)
    {
        ReadOnlySpan<byte> line = source.Slice(start, length);
        if (line.IsEmpty)
        {
            DispatchEvent(source);
            return;
        }

        int colon = line.IndexOf((byte)':');
        if (colon == 0)
        {
            Enqueue(new SseItem(SseItemKind.Comment, string.Empty, Encoding.UTF8.GetString(line[1..]), LastEventId, null));
            return;
        }

        ReadOnlySpan<byte> name = line;
        int valueStart = length;
        if (colon > 0)
        {
            name = line[..colon];
            valueStart = colon + 1 < length && line[colon + 1] == (byte)' ' ? colon + 2 : colon + 1;
        }

        ReadOnlySpan<byte> value = line[valueStart..];

        // Field names are compared as bytes, read as integers: the four that matter are ASCII, and
        // bytes that decode to anything else never equal them.
        switch (name.Length)
        {
            case 4 when BinaryPrimitives.ReadUInt32LittleEndian(name) == DataField:
                if (!inLineBuffer && _data.Length == 0 && _chunkDataLength == NoChunkData)
                {
                    // The common case, a block's first data line: leave it in the chunk for now.
                    _chunkDataStart = start + valueStart;
                    _chunkDataLength = value.Length;
                }
                else
                {
                    AppendData(source, start + valueStart, value.Length, inLineBuffer);
                }

                break;
            case 5 when BinaryPrimitives.ReadUInt32LittleEndian(name) == EvenField && name[4] == (byte)'t':
                _eventType = value.IsEmpty ? null : _types.GetString(value);
                break;
            case 2 when BinaryPrimitives.ReadUInt16LittleEndian(name) == IdField:
                if (!value.Contains((byte)0))
                {
                    _lastEventIdBuffer = _ids.GetString(value);
                }

                break;
            case 5 when BinaryPrimitives.ReadUInt32LittleEndian(name) == RetrField && name[4] == (byte)'y':
                if (TryParseRetry(value, out long retry))
                {
                    Retry = _blockRetry = retry;
                }

                break;
        }
    }

    /// <summary>Adds a data line that is not a block's first one in the chunk (see <see cref="ProcessLine"/>).</summary>
    private void AppendData(ReadOnlySpan<byte> source, int start, int length, bool inLineBuffer)
    {
        if (inLineBuffer && _data.Length == 0 && _chunkDataLength == NoChunkData)
        {
            // A long line gathered across chunks: take its buffer as the data buffer.
            (_line, _data) = (_data, _line);
            _dataStart = start;
            _data.Append(LF);
            return;
        }

        KeepChunkData(source);
        _data.Append(source.Slice(start, length));
        _data.Append(LF);
    }

    /// <summary>Copies a first data line that still points into the chunk into <see cref="_data"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void KeepChunkData(ReadOnlySpan<byte> chunk)
    {
        if (_chunkDataLength != NoChunkData)
        {
            _data.Append(chunk.Slice(_chunkDataStart, _chunkDataLength));
            _data.Append(LF);
            _chunkDataLength = NoChunkData;
        }
    }

    private void DispatchEvent(ReadOnlySpan<byte> source)
    {
        LastEventId = _lastEventIdBuffer;
        if (_chunkDataLength != NoChunkData || _data.Length > 0)
        {
            ReadOnlySpan<byte> data = _chunkDataLength != NoChunkData
                ? source.Slice(_chunkDataStart, _chunkDataLength)
                : _data.Span[_dataStart..^1];
            string text = data.IsEmpty ? string.Empty : Encoding.UTF8.GetString(data);
            Enqueue(new SseItem(SseItemKind.Event, _eventType ?? SseItem.DefaultEventType, text, LastEventId, _blockRetry));
        }

        ResetBlock();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ResetBlock()
    {
        _data.Clear();
        _dataStart = 0;
        _chunkDataLength = NoChunkData;
        _eventType = null;
        _blockRetry = null;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Enqueue(in SseItem item)
    {
        if (Count == 0)
        {
            _next = item;
            _hasNext = true;
        }
        else
        {
            _ready.Enqueue(item);
        }
    }

    /// <summary>A retry value counts only when it is one or more ASCII digits and fits a long.</summary>
    private static bool TryParseRetry(ReadOnlySpan<byte> value, out long milliseconds)
    {
        milliseconds = 0;
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (byte b in value)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9 || milliseconds > (long.MaxValue - digit) / 10)
            {
                return false;
            }

            milliseconds = (milliseconds * 10) + digit;
        }

        return true;
    }
}
