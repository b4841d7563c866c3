using System.Buffers;
using System.Runtime.CompilerServices;

namespace Herald.Sse;

/// <summary>
/// A growable byte buffer on <see cref="ArrayPool{T}.Shared"/> arrays. A mutable struct: keep it
/// in a field and call it in place, never copy it.
/// </summary>
internal struct PooledByteBuffer : IDisposable
{
    /// <summary>Arrays larger than this go back to the pool when cleared, so one huge event does
    /// not pin its memory for the life of a connection.</summary>
    private const int RetainedCapacity = 64 * 1024;

    private byte[]? _array;
    private int _length;

    public readonly int Length => _length;

    public readonly ReadOnlySpan<byte> Span => _array.AsSpan(0, _length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_array is null || _array.Length - _length < bytes.Length)
        {
            Grow(bytes.Length);
        }

        bytes.CopyTo(_array.AsSpan(_length));
        _length += bytes.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(byte value)
    {
        if (_array is null || _array.Length == _length)
        {
            Grow(1);
        }

        _array![_length++] = value;
    }

    /// <summary>The free space after the content, at least <paramref name="sizeHint"/> bytes, to read into.</summary>
    public Memory<byte> GetFreeMemory(int sizeHint)
    {
        if (_array is null || _array.Length - _length < sizeHint)
        {
            Grow(sizeHint);
        }

        return _array.AsMemory(_length);
    }

    /// <summary>Counts <paramref name="count"/> bytes written into <see cref="GetFreeMemory"/> as content.</summary>
    public void Advance(int count) => _length += count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Clear()
    {
        _length = 0;
        if (_array is { Length: > RetainedCapacity })
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = null;
        }
    }

    public void Dispose()
    {
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = null;
        }

        _length = 0;
    }

    private void Grow(int additional)
    {
        int needed = checked(_length + additional);
        int doubled = (int)Math.Min((long)(_array?.Length ?? 0) * 2, Array.MaxLength);
        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(needed, doubled), 256));
        if (_array is not null)
        {
            _array.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_array);
        }

        _array = larger;
    }
}
