using System.Collections.Concurrent;
using Herald.Testing;

namespace Herald.Client.Tests.Scripted;

/// <summary>
/// Drives an <see cref="EventSourceClient"/> for a test: one enumeration under a bound, every
/// <see cref="EventSourceClient.Error"/> and <see cref="EventSourceClient.Opened"/> recorded.
/// The client connects only while the test waits for its next item, as any caller's loop does.
/// </summary>
public sealed class SourceReader : IAsyncDisposable
{
    private readonly CancellationTokenSource _bound;
    private readonly IAsyncEnumerator<SseEvent> _events;
    private readonly ConcurrentQueue<EventSourceErrorEventArgs> _errors = new();
    private readonly ConcurrentQueue<EventSourceOpenedEventArgs> _opened = new();
    private Task<bool> _move = Task.FromResult(false);

    public SourceReader(EventSourceOptions options, TimeSpan? timeout = null)
    {
        Source = new EventSourceClient(options);
        Source.Error += (_, error) => _errors.Enqueue(error);
        Source.Opened += (_, opened) => _opened.Enqueue(opened);
        _bound = Bounded.Wait(timeout);
        _events = Source.ReadAllAsync(_bound.Token).GetAsyncEnumerator(_bound.Token);
    }

    public EventSourceClient Source { get; }

    public IReadOnlyList<EventSourceErrorEventArgs> Errors => [.. _errors];

    public IReadOnlyList<EventSourceOpenedEventArgs> Opened => [.. _opened];

    /// <summary>Whether the bound passed: then an ended enumeration means a hang, not an end.</summary>
    public bool TimedOut => _bound.IsCancellationRequested;

    /// <summary>Waits for the next event.</summary>
    public Task<SseEvent> NextAsync() => NextAsync(_ => true);

    /// <summary>Starts waiting for the next event; the client works while the task is pending.</summary>
    public async Task<SseEvent> NextAsync(Func<SseEvent, bool> accept)
    {
        while (true)
        {
            bool more = await MoveNextAsync();
            Assert.False(TimedOut, "Timed out waiting for the next event.");
            Assert.True(more, "The source ended before the next event.");
            if (accept(_events.Current))
            {
                return _events.Current;
            }
        }
    }

    public async Task<List<SseEvent>> NextAsync(int count)
    {
        var events = new List<SseEvent>(count);
        for (int i = 0; i < count; i++)
        {
            events.Add(await NextAsync());
        }

        return events;
    }

    /// <summary>Asserts the enumeration ends, without an exception and before the bound.</summary>
    public async Task EndAsync()
    {
        bool more = await MoveNextAsync();
        Assert.False(TimedOut, "Timed out waiting for the source to end.");
        Assert.False(more, $"Expected the end, got {(more ? _events.Current : default)}.");
    }

    /// <summary>Asserts the enumeration fails with <typeparamref name="TException"/> (or, unless <paramref name="exact"/>, a type derived from it).</summary>
    public async Task<TException> FailsAsync<TException>(bool exact = true)
        where TException : Exception
    {
        Func<Task> drain = async () =>
        {
            while (await MoveNextAsync())
            {
            }
        };
        TException exception = exact ? await Assert.ThrowsAsync<TException>(drain) : await Assert.ThrowsAnyAsync<TException>(drain);
        Assert.False(TimedOut, "Timed out waiting for the source to fail.");
        return exception;
    }

    public async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync();
        // A test that failed while a read was pending: let that read end (closing makes it end
        // quietly) so that disposing the enumeration does not hide the failure.
        await ((Task)_move).ContinueWith(static _ => { }, TaskScheduler.Default).WaitAsync(Bounded.DefaultWait);
        await _events.DisposeAsync();
        _bound.Dispose();
    }

    private Task<bool> MoveNextAsync() => _move = _events.MoveNextAsync().AsTask();
}
