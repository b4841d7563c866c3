using System.Buffers;
using System.Globalization;
using System.Text;
using Herald.Hub.Streams;
using Herald.Sse;

namespace Herald.Hub.Delivery;

/// <summary>
/// An update's <c>text/event-stream</c> bytes, encoded once into pooled memory and shared by every
/// subscriber it goes to. Reference-counted: the array goes back to the pool when the last
/// subscriber has written it.
/// </summary>
/// <remarks>
/// A frame may instead be a <em>run</em>: consecutive tokens of one stream merged for one
/// subscriber that fell behind, kept as text and encoded only when written, as one event with the
/// last token's id. A run belongs to one subscriber's queue and is never pooled.
/// </remarks>
internal sealed class SseFrame
{
    private byte[]? _buffer;
    private readonly int _length;
    private int _references;

    /// <summary>The most characters of text one run holds; past it the next token starts another.</summary>
    private const int MaxRunLength = 16 * 1024;

    private readonly ReadOnlyMemory<byte> _immortal;
    private readonly StringBuilder? _run;
    private string? _id;

    private SseFrame(byte[]? buffer, ReadOnlyMemory<byte> immortal, int length, long sequence, int references, Update? token = null, bool endsStream = false, StringBuilder? run = null, Update? update = null, bool endsSubscription = false)
    {
        EndsSubscription = endsSubscription;
        _buffer = buffer;
        _length = length;
        _references = references;
        Sequence = sequence;
        _immortal = immortal;
        Token = token;
        EndsStream = endsStream;
        _run = run;
        _id = (update ?? token)?.Id;
        Count = sequence == 0 ? 0 : 1;
        if (update is not null && !TokenStreamNames.IsStreamPath(update.Topic))
        {
            ConflationTopic = update.Topic;
        }
    }

    /// <summary>The log sequence of the update (of a run: its last token), or 0 for frames that
    /// are not updates (heartbeats), which a subscriber never skips.</summary>
    public long Sequence { get; private set; }

    /// <summary>The update when it is a stream's token (or, for a run, its first token), which
    /// a subscriber that fell behind may merge with the next ones.</summary>
    public Update? Token { get; }

    /// <summary>Whether this is a stream's final lifecycle event, after which a subscription to
    /// that one stream ends.</summary>
    public bool EndsStream { get; }

    /// <summary>The id of the update (of a run: its last token), or <see langword="null"/> for
    /// frames that are not updates.</summary>
    public string? Id => _id;

    /// <summary>The id of the frame's first update: a run's first token, or <see cref="Id"/>.</summary>
    public string? FirstId => _run is not null ? Token!.Id : _id;

    /// <summary>How many updates the frame carries: one, a run's tokens, or none (heartbeats,
    /// notices).</summary>
    public int Count { get; private set; }

    /// <summary>The canonical topic of an update that a newer update of the same topic may
    /// supersede (<see cref="Delivery.SlowConsumerPolicy.Latest"/>); <see langword="null"/> for a
    /// token stream's events, which are never conflated, and for frames that are not updates.</summary>
    public string? ConflationTopic { get; }
    /// <summary>When the update was stored (a <see cref="TimeProvider"/> timestamp; of a run, its
    /// first token's), for the delivery latency; 0 when unknown (heartbeats, replays).</summary>
    public long StoredTimestamp { get; private init; }
    /// <summary>Whether the subscription ends once this frame is written (the farewell of a drain).</summary>
    public bool EndsSubscription { get; }

    /// <summary>Whether this is a run of merged tokens.</summary>
    public bool IsRun => _run is not null;

    /// <summary>About how many bytes writing the frame takes, to bound one flush.</summary>
    public int Length => _run?.Length ?? (_buffer is not null ? _length : _immortal.Length);

    /// <summary>The bytes to write. Valid while the caller holds a reference.</summary>
    public ReadOnlySpan<byte> Span => _buffer is { } buffer ? buffer.AsSpan(0, _length) : _immortal.Span;

    /// <summary>Encodes <paramref name="update"/>, stored at <paramref name="storedTimestamp"/>; the caller holds the one reference.</summary>
    public static SseFrame Encode(Update update, long sequence, long storedTimestamp = 0)
    {
        var writer = new PooledFrameWriter();
        SseEncoder.WriteEvent(writer, update.Data, update.Type, update.Id, update.Retry);
        return new SseFrame(
            writer.Buffer,
            default,
            writer.Length,
            sequence,
            1,
            TokenStreamNames.IsToken(update) ? update : null,
            TokenStreamNames.IsEnd(update),
            update: update)
        {
            StoredTimestamp = storedTimestamp,
        };
    }

    /// <summary>Encodes an event the hub itself sends one subscriber (no id, so the client's last
    /// event id stays); the caller holds the one reference.</summary>
    public static SseFrame Notice(string type, string data)
    {
        var writer = new PooledFrameWriter();
        SseEncoder.WriteEvent(writer, data, type);
        return new SseFrame(writer.Buffer, default, writer.Length, 0, 1);
    }

    /// <summary>Starts a run with the token <paramref name="token"/> at <paramref name="sequence"/>,
    /// for one subscriber's queue or one replay.</summary>
    public static SseFrame StartRun(Update token, long sequence, long storedTimestamp = 0) =>
        new(null, default, 0, sequence, -1, token, run: new StringBuilder(token.Data)) { StoredTimestamp = storedTimestamp };

    /// <summary>Appends the token <paramref name="next"/> to this run when it is the same stream's
    /// and the run has room; false otherwise (the caller then sends it on its own).</summary>
    public bool TryAppendToRun(Update next, long sequence)
    {
        if (_run is null || !string.Equals(Token!.Topic, next.Topic, StringComparison.Ordinal) || _run.Length + next.Data.Length > MaxRunLength)
        {
            return false;
        }

        _run.Append(next.Data);
        _id = next.Id;
        Sequence = sequence;
        Count++;
        return true;
    }

    /// <summary>Writes the frame into <paramref name="output"/>: the shared bytes, or a run encoded now.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        if (_run is not null)
        {
            SseEncoder.WriteEvent(output, _run.ToString(), null, _id);
        }
        else
        {
            output.Write(Span);
        }
    }

    /// <summary>A frame that is never pooled (heartbeats and other constants); references are no-ops.</summary>
    public static SseFrame Constant(ReadOnlyMemory<byte> bytes) => new(null, bytes, bytes.Length, 0, -1);

    /// <summary>
    /// The last frame of a drained subscription: a <c>retry:</c> field alone (a block without data
    /// dispatches no event, but sets the client's reconnection time as it is read), after which
    /// the subscription ends. Never pooled.
    /// </summary>
    public static SseFrame Farewell(TimeSpan reconnectDelay)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"retry: {(long)reconnectDelay.TotalMilliseconds}\n\n"));
        return new(null, bytes, bytes.Length, 0, -1, endsSubscription: true);
    }

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
