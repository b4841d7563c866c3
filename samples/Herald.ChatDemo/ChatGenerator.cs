using System.Collections.Concurrent;
using Herald.Hub.Streams;
using Microsoft.Extensions.Options;

namespace Herald.ChatDemo;

/// <summary>How a generation ended.</summary>
internal enum GenerationOutcome
{
    /// <summary>Every token was written and the stream completed.</summary>
    Completed,

    /// <summary>A reader cancelled the stream and the generator stopped.</summary>
    Cancelled,

    /// <summary>The app was stopping; the stream ended as an error.</summary>
    Stopped,

    /// <summary>The hub could not store the stream; it ended as an error.</summary>
    Failed,
}

/// <summary>What a generation did: how it ended and how many tokens it wrote before that.</summary>
internal readonly record struct GenerationResult(GenerationOutcome Outcome, int TokensWritten);

/// <summary>One answer being generated into its token stream.</summary>
/// <param name="StreamId">The stream (a UUID).</param>
/// <param name="Tokens">Every token the answer has, in order; a cancelled one writes a prefix.</param>
/// <param name="Completion">Completes when the generator has stopped.</param>
internal sealed record ChatGeneration(string StreamId, IReadOnlyList<string> Tokens, Task<GenerationResult> Completion);

/// <summary>
/// Runs the fake model: each prompt gets a fresh stream, and a background task writes the answer
/// into it at <see cref="ChatDemoOptions.TokensPerSecond"/>, watching the producer's
/// <see cref="TokenStreamProducer.Cancelled"/> so a reader's Stop ends the work, not just the stream.
/// </summary>
internal sealed partial class ChatGenerator : IAsyncDisposable
{
    /// <summary>The typed event that opens every answer with its prompt, so a reader who joins
    /// later (a second tab) sees the question too.</summary>
    public const string PromptEventType = "prompt";

    private readonly TokenStreams _streams;
    private readonly ChatDemoOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ChatGenerator> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, ChatGeneration> _running = new(StringComparer.Ordinal);

    public ChatGenerator(TokenStreams streams, IOptions<ChatDemoOptions> options, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<ChatGenerator> logger)
    {
        _streams = streams;
        _options = options.Value;
        _time = time;
        _logger = logger;
        lifetime.ApplicationStopping.Register(_stopping.Cancel);
    }

    /// <summary>Opens a new stream for <paramref name="prompt"/> and starts generating into it.</summary>
    /// <exception cref="TokenStreamLimitException">The hub has as many active streams as it allows.</exception>
    public async Task<ChatGeneration> StartAsync(string prompt, CancellationToken cancellationToken)
    {
        string streamId = Guid.NewGuid().ToString("D");
        List<string> tokens = FakeAnswer.Tokenize(FakeAnswer.Compose(prompt));

        // Private: only a token whose mercure.subscribe allows the topic reads it.
        TokenStreamProducer producer = await _streams.OpenAsync(streamId, isPrivate: true, cancellationToken);
        var completion = new TaskCompletionSource<GenerationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var generation = new ChatGeneration(streamId, tokens, completion.Task);
        _running[streamId] = generation;
        _ = Task.Run(async () =>
        {
            try
            {
                completion.SetResult(await GenerateAsync(producer, prompt, tokens));
            }
#pragma warning disable CA1031 // Whatever went wrong is handed to whoever awaits the generation.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                completion.SetException(exception);
            }
            finally
            {
                _running.TryRemove(streamId, out _);
            }
        }, CancellationToken.None);
        return generation;
    }

    /// <summary>The generation still running for <paramref name="streamId"/>, if any.</summary>
    public ChatGeneration? FindRunning(string streamId) => _running.GetValueOrDefault(streamId);

    /// <summary>Stops every generation (their streams end as errors) and waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        // Their failures are theirs to report to whoever awaits them; disposing does not throw them.
        await Task.WhenAll(_running.Values.Select(g => (Task)g.Completion)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private async Task<GenerationResult> GenerateAsync(TokenStreamProducer producer, string prompt, List<string> tokens)
    {
        await using (producer)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(producer.Cancelled, _stopping.Token);
            TimeSpan interval = _options.TokensPerSecond > 0 ? TimeSpan.FromSeconds(1 / _options.TokensPerSecond) : TimeSpan.Zero;
            int written = 0;
            try
            {
                await producer.WriteEventAsync(PromptEventType, prompt, stop.Token);
                long start = _time.GetTimestamp();
                foreach (string token in tokens)
                {
                    // Paced against the start, not the previous token, so delays do not add up.
                    TimeSpan due = (interval * (written + 1)) - _time.GetElapsedTime(start);
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, _time, stop.Token);
                    }

                    await producer.WriteAsync(token, stop.Token);
                    written++;
                }

                TokenStreamSummary summary = await producer.CompleteAsync();
                LogEnded(producer.StreamId, summary.Status, written, tokens.Count);
                return new GenerationResult(summary.Status switch
                {
                    TokenStreamStatus.Done => GenerationOutcome.Completed,
                    TokenStreamStatus.Cancelled => GenerationOutcome.Cancelled, // after the last token, before the end
                    _ => GenerationOutcome.Failed,
                }, written);
            }
            catch (OperationCanceledException) when (producer.Cancelled.IsCancellationRequested)
            {
                LogCancelled(producer.StreamId, written, tokens.Count, producer.Reason);
                return new GenerationResult(GenerationOutcome.Cancelled, written);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                await producer.FailAsync("The demo server stopped.");
                return new GenerationResult(GenerationOutcome.Stopped, written);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId} ended {Status} after {Written} of {Total} tokens.")]
    private partial void LogEnded(string streamId, TokenStreamStatus status, int written, int total);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamId} was cancelled; the generator stopped after {Written} of {Total} tokens ({Reason}).")]
    private partial void LogCancelled(string streamId, int written, int total, string? reason);
}
