using System.Buffers;
using Herald.Sse;

namespace Herald.Hub.Delivery;

/// <summary>
/// An update's <c>text/event-stream</c> bytes, encoded once into pooled memory and shared by every
/// subscriber it goes to. Reference-counted: the array goes back to the pool when the last
/// subscriber has written it.
/// </summary>
internal sealed class SseFrame
{
    private byte[]? _buffer;
    private readonly int _length;
    private int _references;

    private SseFrame(byte[]? buffer, ReadOnlyMemory<byte> immortal, int length, long sequence, int references)
    {
        _buffer = buffer;
        _length = length;
        _references = references;
        Sequence = sequence;
        _immortal = immortal;
    }

    private readonly ReadOnlyMemory<byte> _immortal;

    /// <summary>The log sequence of the update, or 0 for frames that are not updates (heartbeats),
    /// which a subscriber never skips.</summary>
    public long Sequence { get; }

    /// <summary>The bytes to write. Valid while the caller holds a reference.</summary>
    public ReadOnlySpan<byte> Span => _buffer is { } buffer ? buffer.AsSpan(0, _length) : _immortal.Span;

    /// <summary>Encodes <paramref name="update"/>; the caller holds the one reference.</summary>
    public static SseFrame Encode(Update update, long sequence)
    {
        var writer = new PooledFrameWriter();
        SseEncoder.WriteEvent(writer, update.Data, update.Type, update.Id, update.Retry);
        return new SseFrame(writer.Buffer, default, writer.Length, sequence, 1);
    }

    /// <summary>A frame that is never pooled (heartbeats and other constants); references are no-ops.</summary>
    public static SseFrame Constant(ReadOnlyMemory<byte> bytes) => new(null, bytes, bytes.Length, 0, -1);

    /// <summary>Takes one more reference for a subscriber's queue.</summary>
    public void AddReference()
    {
        if (_buffer is not null)
        {
            Interlocked.Increment(ref _references);
        }
    }

    /// <summary>Drops one reference; the last one returns the bytes to the pool.</summary>
    public void Release()
    {
        if (_buffer is not null && Interlocked.Decrement(ref _references) == 0)
        {
            byte[] buffer = _buffer;
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Grows in arrays rented from the shared pool, so encoding allocates no array.</summary>
    private sealed class PooledFrameWriter : IBufferWriter<byte>
    {
        public byte[] Buffer { get; private set; } = ArrayPool<byte>.Shared.Rent(256);

        public int Length { get; private set; }

        public void Advance(int count) => Length += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return Buffer.AsMemory(Length);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return Buffer.AsSpan(Length);
        }

        private void Ensure(int sizeHint)
        {
            int needed = Length + Math.Max(sizeHint, 1);
            if (needed > Buffer.Length)
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Buffer.Length * 2));
                Buffer.AsSpan(0, Length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(Buffer);
                Buffer = larger;
            }
        }
    }
}
