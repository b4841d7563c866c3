using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Herald.Sse;

public sealed partial class SseParser
{
    /// <summary>The size of the pooled buffer used to read from a <see cref="Stream"/>.</summary>
    private const int StreamReadSize = 16 * 1024;

    /// <summary>Parses a whole stream held in memory.</summary>
    /// <param name="stream">The complete <c>text/event-stream</c> bytes.</param>
    /// <param name="options">Limits and the initial last event ID; defaults when omitted.</param>
    /// <returns>The events and comments, in stream order.</returns>
    /// <exception cref="SseEventTooLargeException">An event outgrew the maximum event size.</exception>
    public static List<SseItem> Parse(ReadOnlySpan<byte> stream, SseParserOptions? options = null)
    {
        using var parser = new SseParser(options);
        parser.Append(stream);
        parser.Complete();
        var items = new List<SseItem>(parser.Count);
        while (parser.TryRead(out SseItem item))
        {
            items.Add(item);
        }

        return items;
    }

    /// <summary>Reads <paramref name="stream"/> to its end, synchronously, yielding items as they complete.</summary>
    /// <param name="stream">The response body or file to read; it is not disposed.</param>
    /// <returns>The events and comments, in stream order.</returns>
    /// <exception cref="SseEventTooLargeException">An event outgrew the maximum event size.</exception>
    public IEnumerable<SseItem> Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadIterator(stream);
    }

    /// <summary>Reads <paramref name="stream"/> to its end, yielding items as they complete.</summary>
    /// <param name="stream">The response body or file to read; it is not disposed.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The events and comments, in stream order.</returns>
    /// <exception cref="SseEventTooLargeException">An event outgrew the maximum event size.</exception>
    public IAsyncEnumerable<SseItem> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadIteratorAsync(stream, cancellationToken);
    }

    /// <summary>Reads <paramref name="reader"/> until it completes, yielding items as they complete.</summary>
    /// <param name="reader">The pipe to read; it is not completed by this method.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The events and comments, in stream order.</returns>
    /// <exception cref="SseEventTooLargeException">An event outgrew the maximum event size.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled, or the pending read was
    /// cancelled with <see cref="PipeReader.CancelPendingRead"/>; the parser keeps its state.</exception>
    public IAsyncEnumerable<SseItem> ReadAsync(PipeReader reader, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return ReadIteratorAsync(reader, cancellationToken);
    }

    private IEnumerable<SseItem> ReadIterator(Stream stream)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(StreamReadSize);
        try
        {
            while (true)
            {
                Memory<byte> target = ReadTarget(buffer);
                int read = stream.Read(target.Span);
                if (read == 0)
                {
                    break;
                }

                int length = Received(target.Span[..read], buffer);
                for (int offset = 0; TryReadFrom(buffer.AsSpan(0, length), ref offset, out SseItem item);)
                {
                    yield return item;
                }
            }

            Complete();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async IAsyncEnumerable<SseItem> ReadIteratorAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(StreamReadSize);
        try
        {
            while (true)
            {
                Memory<byte> target = ReadTarget(buffer);
                int read = await stream.ReadAsync(target, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                int length = Received(target.Span[..read], buffer);
                for (int offset = 0; TryReadFrom(buffer.AsSpan(0, length), ref offset, out SseItem item);)
                {
                    yield return item;
                }
            }

            Complete();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async IAsyncEnumerable<SseItem> ReadIteratorAsync(PipeReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            long parsed = 0;
            int offset = 0;
            try
            {
                foreach (ReadOnlyMemory<byte> segment in buffer)
                {
                    for (offset = 0; TryReadFrom(segment.Span, ref offset, out SseItem item);)
                    {
                        yield return item;
                    }

                    parsed += segment.Length;
                    offset = 0;
                }
            }
            finally
            {
                // Also when the caller stops early: the pipe moves past exactly the bytes the
                // parser took in, so a later read with this parser goes on where this one stopped.
                reader.AdvanceTo(buffer.GetPosition(parsed + offset));
            }

            if (result.IsCompleted)
            {
                Complete();
                yield break;
            }

            if (result.IsCanceled)
            {
                throw new OperationCanceledException("The pending read of the pipe was cancelled.");
            }
        }
    }

    /// <summary>
    /// Takes the next item, parsing more of <paramref name="chunk"/> from <paramref name="offset"/>
    /// only as far as needed: readers hand out each item as soon as its line is parsed, so the
    /// queue never holds a whole chunk's worth of items.
    /// </summary>
    private bool TryReadFrom(ReadOnlySpan<byte> chunk, ref int offset, out SseItem item)
    {
        while (!TryRead(out item))
        {
            if (offset == chunk.Length)
            {
                return false;
            }

            offset += AppendUntilItem(chunk[offset..]);
        }

        return true;
    }

    /// <summary>
    /// Whether a line already as long as a read is still running on (a big event): then reads go
    /// straight into the line buffer, so its bytes are copied once. Short lines that merely cross
    /// a read boundary take the usual path, which copies less for them.
    /// </summary>
    private bool GatheringLongLine => _line.Length >= StreamReadSize && !_completed && !_faulted;

    /// <summary>Where the next read from a stream goes: the line buffer's free space while <see cref="GatheringLongLine"/>, else the reader's buffer.</summary>
    /// <remarks>A read into the line buffer is bounded to the read size, so what follows the line's end always fits the reader's buffer.</remarks>
    private Memory<byte> ReadTarget(byte[] buffer) =>
        GatheringLongLine ? _line.GetFreeMemory(StreamReadSize)[..StreamReadSize] : buffer;

    /// <summary>
    /// Takes in the bytes just read into <see cref="ReadTarget"/>. Read into the line buffer,
    /// those before the line's end join the line, and the rest moves to <paramref name="buffer"/>.
    /// </summary>
    /// <returns>How many bytes at the start of <paramref name="buffer"/> are left to parse.</returns>
    private int Received(Span<byte> read, byte[] buffer)
    {
        if (!GatheringLongLine)
        {
            return read.Length;
        }

        int end = read.IndexOfAny(CR, LF);
        int joined = end < 0 ? read.Length : end;
        EnsureWithinLimit(_line.Length + joined);
        _line.Advance(joined);
        read[joined..].CopyTo(buffer);
        return read.Length - joined;
    }
}
