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
    public async IAsyncEnumerable<SseItem> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(StreamReadSize);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                Append(buffer.AsSpan(0, read));
                while (TryRead(out SseItem item))
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

    /// <summary>Reads <paramref name="reader"/> until it completes, yielding items as they complete.</summary>
    /// <param name="reader">The pipe to read; it is not completed by this method.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The events and comments, in stream order.</returns>
    /// <exception cref="SseEventTooLargeException">An event outgrew the maximum event size.</exception>
    public async IAsyncEnumerable<SseItem> ReadAsync(PipeReader reader, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            foreach (ReadOnlyMemory<byte> segment in buffer)
            {
                Append(segment.Span);
            }

            reader.AdvanceTo(buffer.End);
            while (TryRead(out SseItem item))
            {
                yield return item;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                Complete();
                yield break;
            }
        }
    }

    private IEnumerable<SseItem> ReadIterator(Stream stream)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(StreamReadSize);
        try
        {
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                Append(buffer.AsSpan(0, read));
                while (TryRead(out SseItem item))
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
}
