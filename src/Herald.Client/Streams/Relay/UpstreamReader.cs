using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Herald.Sse;

namespace Herald.Client.Streams.Relay;

/// <summary>
/// Reads an upstream LLM API's event stream (OpenAI Chat Completions, OpenAI Responses or
/// Anthropic Messages) as <see cref="UpstreamPart"/>s: the same text, end and error whatever the
/// format.
/// </summary>
public static class UpstreamReader
{
    /// <summary>
    /// Sends the request once and yields what the stream means, ending with exactly one
    /// <see cref="UpstreamPartKind.End"/> or <see cref="UpstreamPartKind.Error"/> part.
    /// </summary>
    /// <remarks>
    /// The request is never sent again, whatever <see cref="EventSourceOptions.Reconnect"/> says:
    /// a second request to an LLM API starts a second generation. So every way the upstream can
    /// fail is an error part rather than an exception: a refused request (its status), a
    /// connection that cannot be made or breaks off, a read timeout, data that is not JSON, an
    /// event over the size limit, and a stream that ends before its format's end event. Stopping
    /// the enumeration, or cancelling, closes the connection, which is how an LLM API learns to
    /// stop generating.
    /// </remarks>
    /// <param name="upstream">The request: URL, method, body, headers (an API key), read timeout.</param>
    /// <param name="format">The upstream's format, or <see cref="RelayFormat.Auto"/> to tell it from the first event.</param>
    /// <param name="cancellationToken">Closes the upstream connection; the enumeration then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The parts, in stream order.</returns>
    /// <exception cref="ArgumentException">The options are invalid (thrown by the enumeration).</exception>
    public static IAsyncEnumerable<UpstreamPart> ReadAsync(EventSourceOptions upstream, RelayFormat format = RelayFormat.Auto, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "Not a relay format.");
        }

        return ReadIteratorAsync(upstream, format, cancellationToken);
    }

    private static async IAsyncEnumerable<UpstreamPart> ReadIteratorAsync(EventSourceOptions upstream, RelayFormat format, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IUpstreamAdapter adapter = UpstreamAdapters.Create(format);
        var source = new EventSourceClient(upstream, reconnect: false);
        await using (source.ConfigureAwait(false))
        {
            var connection = new Connection(source.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken), adapter);
            source.Opened += connection.OnOpened;
            await using (connection.ConfigureAwait(false))
            {
                var parts = new List<UpstreamPart>(2);
                while (await connection.ReadAsync(parts, cancellationToken).ConfigureAwait(false))
                {
                    foreach (UpstreamPart part in parts)
                    {
                        yield return part;
                        if (part.IsFinal)
                        {
                            yield break;
                        }
                    }

                    parts.Clear();
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        yield return adapter.Complete();
    }

    /// <summary>
    /// The enumeration of the upstream with its failures caught, which the iterator cannot do
    /// around a <c>yield</c>: each one becomes an error part.
    /// </summary>
    private sealed class Connection(IAsyncEnumerator<SseEvent> events, IUpstreamAdapter adapter) : IAsyncDisposable
    {
        private bool _opened;

        public void OnOpened(object? sender, EventSourceOpenedEventArgs e) => _opened = true;

        /// <summary>Reads the next event into <paramref name="parts"/>; false at the clean end of the upstream, or when cancelled.</summary>
        public async ValueTask<bool> ReadAsync(List<UpstreamPart> parts, CancellationToken cancellationToken)
        {
            try
            {
                if (!await events.MoveNextAsync().ConfigureAwait(false))
                {
                    return false;
                }

                adapter.Read(events.Current, parts);
            }
            catch (JsonException exception)
            {
                parts.Add(UpstreamPart.Error("the upstream sent an event whose data is not JSON: " + exception.Message, exception));
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested && Describe(exception, _opened) is { } reason)
            {
                parts.Add(UpstreamPart.Error(reason, exception));
            }

            return true;
        }

        public ValueTask DisposeAsync() => events.DisposeAsync();
    }

    /// <summary>
    /// Why the upstream failed, for readers of the stream: no URL (it may carry a key) and no
    /// headers. <see langword="null"/> for exceptions that are bugs, not the upstream's doing.
    /// </summary>
    private static string? Describe(Exception exception, bool opened) => exception switch
    {
        EventSourceResponseException { Error: EventSourceResponseError.UnexpectedContentType } refused =>
            $"the upstream answered with Content-Type '{refused.ContentType}', not an event stream (does the request ask for a stream?)",
        EventSourceResponseException { Error: EventSourceResponseError.UnexpectedStatus } refused =>
            $"the upstream answered {(int)refused.StatusCode!} {refused.StatusCode}",
        EventSourceResponseException refused => $"the upstream's redirects could not be followed ({refused.Error})",
        HttpRequestException failed when !opened => $"the upstream could not be reached ({failed.HttpRequestError})",
        HttpRequestException or IOException => $"the upstream connection broke off ({exception.Message})",
        TimeoutException => $"the upstream went silent: {exception.Message}",
        SseEventTooLargeException => "an upstream event was larger than the size limit",
        // A caller's HttpClient that gave up (its Timeout): not our cancellation, checked above.
        OperationCanceledException => "the upstream request was cancelled or timed out",
        _ => null,
    };
}
