using System.Buffers;
using System.CommandLine;
using System.Text.Json;
using Herald.Client;
using Herald.Sse;

namespace Herald.Server.Commands;

/// <summary>
/// <c>herald listen URL</c>: a reconnecting EventSource on the command line. Events go to
/// standard output as they arrive; connections, reconnects and gaps go to standard error, so the
/// output stays clean for a pipe.
/// </summary>
internal static class ListenCommand
{
    /// <summary>Exit code when the stream fails for good (a refused status, a wrong content type,
    /// an oversized event).</summary>
    public const int StreamFailed = 1;

    public static Command Create()
    {
        var url = new Argument<string>("url") { Description = "The event stream: a Herald or Mercure hub subscribe URL, or any text/event-stream URL." };
        var headers = new Option<string[]>("--header", "-H") { Description = "A request header, 'Name: value' (repeatable), e.g. an Authorization header.", AllowMultipleArgumentsPerToken = true };
        var lastEventId = new Option<string?>("--last-event-id") { Description = "Resume after this id (a hub also takes 'earliest')." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per event, as herald parse does." };
        var comments = new Option<bool>("--comments") { Description = "Also print comments (heartbeats)." };
        var readTimeout = new Option<double?>("--read-timeout") { Description = "Seconds without a byte after which the connection is dropped and made again." };
        var retryServerErrors = new Option<bool>("--retry-server-errors") { Description = "Keep reconnecting after 5xx and 429 answers (honouring Retry-After) instead of giving up." };

        var command = new Command("listen", """
            Listen to a Server-Sent Events stream and print each event as it arrives.
            Reconnects as a browser does (honouring retry:, resuming with Last-Event-ID); connections and gaps are reported on stderr.
            Ends on HTTP 204 or Ctrl-C (exit 0); a refused status or a wrong content type ends it with exit 1.
            """)
        {
            url, headers, lastEventId, json, comments, readTimeout, retryServerErrors,
        };

        command.SetAction(async (result, cancellationToken) =>
        {
            if (!Uri.TryCreate(result.GetValue(url), UriKind.Absolute, out Uri? streamUrl) || (streamUrl.Scheme != Uri.UriSchemeHttp && streamUrl.Scheme != Uri.UriSchemeHttps))
            {
                await Console.Error.WriteLineAsync($"herald listen: '{result.GetValue(url)}' is not an http or https URL.").ConfigureAwait(false);
                return 2;
            }

            var options = new EventSourceOptions
            {
                Url = streamUrl,
                LastEventId = result.GetValue(lastEventId),
                IncludeComments = result.GetValue(comments),
                ReadTimeout = result.GetValue(readTimeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                ReconnectOnTransientStatus = result.GetValue(retryServerErrors),
            };
            if (HeaderArguments.AddTo(result.GetValue(headers) ?? [], options.Headers) is { } invalid)
            {
                await Console.Error.WriteLineAsync($"herald listen: --header '{invalid}' is not 'Name: value'.").ConfigureAwait(false);
                return 2;
            }

            return await RunAsync(options, result.GetValue(json), Console.OpenStandardOutput(), Console.Error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Runs the command with explicit streams, so tests can drive it in-process.</summary>
    public static async Task<int> RunAsync(EventSourceOptions options, bool asJson, Stream output, TextWriter error, CancellationToken cancellationToken)
    {
        await using var source = new EventSourceClient(options);
        source.Opened += (_, e) => error.WriteLine(e.LastEventId.Length == 0
            ? $"herald listen: connected to {e.Url}"
            : $"herald listen: connected to {e.Url}, resuming after '{e.LastEventId}'");
        source.Error += (_, e) => error.WriteLine($"herald listen: connection lost ({e.Exception?.Message ?? "the stream ended"}); reconnecting in {e.RetryDelay.TotalSeconds:0.###} s");

        var lines = new ArrayBufferWriter<byte>(4096);
        using var json = new Utf8JsonWriter(lines, EventJson.Options);
        try
        {
            await foreach (SseEvent item in source.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (item.IsGap)
                {
                    // The hub could not resume where asked: say so where a person looks, not in the data.
                    await error.WriteLineAsync($"herald listen: gap: events were missed; the hub replays what it retains ({item.Data})").ConfigureAwait(false);
                    continue;
                }

                if (asJson)
                {
                    if (item.IsComment)
                    {
                        EventJson.WriteComment(json, lines, item.Data);
                    }
                    else
                    {
                        EventJson.WriteEvent(json, lines, item.Type, item.Data, item.LastEventId);
                    }
                }
                else
                {
                    WriteText(lines, item);
                }

                await output.WriteAsync(lines.WrittenMemory, cancellationToken).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                lines.ResetWrittenCount();
            }

            await error.WriteLineAsync("herald listen: the server ended the stream for good (204).").ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception exception) when (exception is HttpRequestException or SseEventTooLargeException)
        {
            await error.WriteLineAsync($"herald listen: {exception.Message}").ConfigureAwait(false);
            return StreamFailed;
        }
    }

    /// <summary>A header line with the type and id, then the data lines indented, then a blank
    /// line: readable, and unambiguous however many lines the data has.</summary>
    private static void WriteText(ArrayBufferWriter<byte> lines, SseEvent item)
    {
        string text = item.IsComment
            ? $": {item.Data}\n"
            : $"{item.Type} id={item.LastEventId}\n  {item.Data.Replace("\n", "\n  ", StringComparison.Ordinal)}\n\n";
        System.Text.EncodingExtensions.GetBytes(System.Text.Encoding.UTF8, text, lines);
    }
}
