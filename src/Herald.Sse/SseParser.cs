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

    private readonly int _maxEventSize;
    private readonly Queue<SseItem> _ready = new();

    // The line being read when a chunk ended inside it, and the data buffer of the current
    // block with an LF after each data line (so "empty" means "no data field was seen").
    private PooledByteBuffer _line;
    private PooledByteBuffer _data;
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
    public int Count => _ready.Count;

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
    internal int AppendUntilItem(ReadOnlySpan<byte> bytes) => Consume(bytes, stopAtFirstItem: true);

    /// <summary>
    /// Ends the stream: an unfinished event is discarded, as the specification requires, and its
    /// id never becomes the last event ID string.
    /// </summary>
    public void Complete()
    {
        _completed = true;
        _line.Clear();
        _data.Clear();
        _eventType = null;
        _blockRetry = null;
    }

    /// <summary>Takes the next parsed item, in stream order.</summary>
    /// <param name="item">The item, when one is ready.</param>
    /// <returns>Whether an item was ready.</returns>
    public bool TryRead(out SseItem item) => _ready.TryDequeue(out item);

    /// <summary>Returns the pooled buffers.</summary>
    public void Dispose()
    {
        _line.Dispose();
        _data.Dispose();
        _ready.Clear();
        _completed = true;
    }

    private int Consume(ReadOnlySpan<byte> bytes, bool stopAtFirstItem)
    {
        if (_completed || _faulted)
        {
            throw new InvalidOperationException(_faulted
                ? "The parser failed on an earlier chunk and cannot go on."
                : "The stream was already completed.");
        }

        try
        {
            int length = bytes.Length;
            if (!_pastStreamStart)
            {
                bytes = SkipByteOrderMark(bytes);
            }

            return length - ParseLines(bytes, stopAtFirstItem).Length;
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

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
    private ReadOnlySpan<byte> ParseLines(ReadOnlySpan<byte> bytes, bool stopAtFirstItem)
    {
        // A CR that ended the previous chunk ended its line already; an LF right after it is
        // the second half of the same CRLF.
        if (_skipLineFeed && !bytes.IsEmpty)
        {
            _skipLineFeed = false;
            if (bytes[0] == LF)
            {
                bytes = bytes[1..];
            }
        }

        while (true)
        {
            int end = bytes.IndexOfAny(CR, LF);
            if (end < 0)
            {
                EnsureWithinLimit(_line.Length + bytes.Length);
                _line.Append(bytes);
                return [];
            }

            EnsureWithinLimit(_line.Length + end);
            if (_line.Length == 0)
            {
                ProcessLine(bytes[..end]);
            }
            else
            {
                _line.Append(bytes[..end]);
                ProcessLine(_line.Span);
                _line.Clear();
            }

            if (bytes[end] == CR)
            {
                if (end + 1 == bytes.Length)
                {
                    _skipLineFeed = true;
                }
                else if (bytes[end + 1] == LF)
                {
                    end++;
                }
            }

            bytes = bytes[(end + 1)..];
            if (bytes.IsEmpty || (stopAtFirstItem && _ready.Count > 0))
            {
                return bytes;
            }
        }
    }

    private void EnsureWithinLimit(int lineLength)
    {
        if ((long)lineLength + _data.Length > _maxEventSize)
        {
            throw new SseEventTooLargeException(_maxEventSize);
        }
    }

    private void ProcessLine(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            DispatchEvent();
            return;
        }

        int colon = line.IndexOf((byte)':');
        if (colon == 0)
        {
            _ready.Enqueue(SseItem.ForComment(Encoding.UTF8.GetString(line[1..]), LastEventId));
            return;
        }

        ReadOnlySpan<byte> name = line;
        ReadOnlySpan<byte> value = default;
        if (colon > 0)
        {
            name = line[..colon];
            value = line[(colon + 1)..];
            if (!value.IsEmpty && value[0] == (byte)' ')
            {
                value = value[1..];
            }
        }

        // Field names are compared as bytes: the four that matter are ASCII, and bytes that
        // decode to anything else never equal them.
        switch (name.Length)
        {
            case 4 when name.SequenceEqual("data"u8):
                _data.Append(value);
                _data.Append(LF);
                break;
            case 5 when name.SequenceEqual("event"u8):
                _eventType = value.IsEmpty ? null : _types.GetString(value);
                break;
            case 2 when name.SequenceEqual("id"u8):
                if (!value.Contains((byte)0))
                {
                    _lastEventIdBuffer = _ids.GetString(value);
                }

                break;
            case 5 when name.SequenceEqual("retry"u8):
                if (TryParseRetry(value, out long retry))
                {
                    Retry = _blockRetry = retry;
                }

                break;
        }
    }

    private void DispatchEvent()
    {
        LastEventId = _lastEventIdBuffer;
        if (_data.Length > 0)
        {
            ReadOnlySpan<byte> data = _data.Span[..^1];
            string text = data.IsEmpty ? string.Empty : Encoding.UTF8.GetString(data);
            _ready.Enqueue(SseItem.ForEvent(_eventType, text, LastEventId, _blockRetry));
        }

        _data.Clear();
        _eventType = null;
        _blockRetry = null;
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
