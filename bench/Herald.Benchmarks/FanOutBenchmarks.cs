using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Herald.Hub;
using Herald.Hub.Delivery;
using Herald.Hub.History;
using Herald.Hub.Selectors;
using Microsoft.Extensions.Options;

namespace Herald.Benchmarks;

/// <summary>
/// The hub's fan-out without sockets: publish an update through <see cref="HeraldHub"/> (append
/// to the in-memory log, match in the topic index, encode once, enqueue a shared frame) to N
/// subscribers whose real writer loops write into pipes that count the bytes; an invocation
/// ends when every subscriber has written every update. Reported per delivery.
/// </summary>
/// <remarks>Not sealed because BenchmarkDotNet derives its runner from the class.</remarks>
[MemoryDiagnoser]
[EventsPerSecondColumn]
public class FanOutBenchmarks : IDisposable
{
    private const int UpdatesPerInvoke = 100;
    private const string Topic = "https://example.com/prices/ACME";

    private readonly List<(Subscriber Subscriber, Task Loop)> _subscribers = [];
    private HeraldHub _hub = null!;
    private CountingStream _sink = null!;
    private string[] _data = [];
    private long _frameBytes;

    [Params(1, 100, 10_000)]
    public int Subscribers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = Options.Create(new HeraldOptions { HistorySize = 10_000, SubscriberQueueCapacity = UpdatesPerInvoke * 2 });
        _hub = new HeraldHub(new MemoryEventLog(options, TimeProvider.System), options, TimeProvider.System, new TopicSelectorCache());
        _sink = new CountingStream();
        for (int i = 0; i < Subscribers; i++)
        {
            // Half exact, half template, as a mixed population of clients would subscribe.
            string selector = i % 2 == 0 ? Topic : "https://example.com/prices/{symbol}";
            var subscriber = new Subscriber($"s{i}", [TopicSelector.Parse(selector)], null, null, options.Value.SubscriberQueueCapacity, long.MaxValue, 0);
            _hub.Register(subscriber);
            PipeWriter output = PipeWriter.Create(_sink);
            _subscribers.Add((subscriber, subscriber.WriteLiveAsync(output, TimeProvider.System, CancellationToken.None)));
        }

        // A price tick: small, like most real-time updates.
        _data = [.. Enumerable.Range(0, UpdatesPerInvoke).Select(i => $"{{\"symbol\":\"ACME\",\"price\":{100 + (i % 7)}.25}}")];
        foreach (string data in _data)
        {
            // Every id the hub generates has the same length as this one.
            SseFrame frame = SseFrame.Encode(new Update([Topic], data, HubIds.Create(1, 0)), 1);
            _frameBytes += frame.Span.Length;
            frame.Release();
        }
    }

    [Benchmark(OperationsPerInvoke = UpdatesPerInvoke)]
    public async Task PublishToAll()
    {
        Task delivered = _sink.WaitForAsync(_frameBytes * Subscribers);
        // New updates each time: the hub generates their ids, and an update whose id is already
        // stored would be an idempotent repeat, stored and delivered once.
        foreach (string data in _data)
        {
            await _hub.PublishAsync(new Update([Topic], data)).ConfigureAwait(false);
        }

        await delivered.ConfigureAwait(false);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _hub.CloseAll();
        Task.WaitAll([.. _subscribers.Select(s => s.Loop)]);
        Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _hub.Dispose();
        _sink.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Counts the bytes written to it and signals when a target is reached.</summary>
    private sealed class CountingStream : Stream
    {
        private long _written;
        private long _target = long.MaxValue;
        private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task WaitForAsync(long bytes)
        {
            Interlocked.Exchange(ref _written, 0);
            _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _target, bytes);
            return _reached.Task;
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Interlocked.Add(ref _written, buffer.Length) >= Volatile.Read(ref _target))
            {
                _reached.TrySetResult();
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        // The base class would run Flush on the thread pool: an allocation per flush that
        // Kestrel's pipe does not have, so it must not be counted against the hub.
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
