using System.Buffers;
using System.CommandLine;
using System.Text.Json;
using Herald.Sse;

namespace Herald.Server.Commands;

/// <summary>
/// <c>herald parse [FILE]</c>: reads a captured or live <c>text/event-stream</c> and prints one
/// JSON object per dispatched event, exactly as a browser's EventSource would see it.
/// </summary>
internal static class ParseCommand
{
    /// <summary>Exit code for a file that is missing or cannot be read.</summary>
    public const int UnreadableInput = 2;

    /// <summary>Exit code for a stream that breaks the maximum event size.</summary>
    public const int InvalidStream = 1;

    private const int ReadSize = 64 * 1024;

    public static Command Create()
    {
        var file = new Argument<string?>("file")
        {
            Description = "The stream to read: a file, or stdin when omitted or '-'.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var comments = new Option<bool>("--comments")
        {
            Description = "Also print each comment line as {\"comment\":...}, in stream order (heartbeats show up here).",
        };
        var maxEventSize = new Option<int>("--max-event-size")
        {
            Description = "The most bytes one event may hold (its data plus the line being read).",
            DefaultValueFactory = _ => SseParserOptions.DefaultMaxEventSize,
        };
        maxEventSize.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--max-event-size must be at least 1 byte.");
            }
        });

        var command = new Command("parse", """
            Parse a text/event-stream from FILE or stdin and print one JSON object per dispatched event, one per line:
            {"type":...,"data":...,"id":...} where id is the last event ID at dispatch, plus "retry":N when the event's block set a valid retry.
            Exit codes: 0 at end of stream, 1 when an event exceeds --max-event-size, 2 when the file is missing or unreadable.
            """)
        {
            file,
            comments,
            maxEventSize,
        };
        command.SetAction((result, cancellationToken) =>
        {
            string? path = result.GetValue(file);
            var options = new SseParserOptions { MaxEventSize = result.GetValue(maxEventSize) };
            return RunAsync(path is null or "-" ? null : path, result.GetValue(comments), options, Console.OpenStandardInput, Console.OpenStandardOutput(), Console.Error, cancellationToken);
        });
        return command;
    }

    /// <summary>Runs the command with explicit streams, so tests can drive it in-process.</summary>
    /// <param name="path">The file to read, or <see langword="null"/> for <paramref name="openStdin"/>.</param>
    /// <param name="comments">Whether to print comments too.</param>
    /// <param name="options">Parser limits.</param>
    /// <param name="openStdin">Opens standard input, when no file is given.</param>
    /// <param name="output">Where the JSON lines go.</param>
    /// <param name="error">Where messages for the user go.</param>
    /// <param name="cancellationToken">Stops reading (Ctrl-C).</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(string? path, bool comments, SseParserOptions options, Func<Stream> openStdin, Stream output, TextWriter error, CancellationToken cancellationToken)
    {
        Stream input;
        try
        {
            input = path is null ? openStdin() : File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            await error.WriteLineAsync($"herald parse: cannot read '{path}': {e.Message}").ConfigureAwait(false);
            return UnreadableInput;
        }

        await using (input.ConfigureAwait(false))
        {
            using var parser = new SseParser(options);
            byte[] chunk = ArrayPool<byte>.Shared.Rent(ReadSize);
            var lines = new ArrayBufferWriter<byte>(ReadSize);
            using var json = new Utf8JsonWriter(lines, EventJson.Options);
            try
            {
                while (true)
                {
                    int read;
                    try
                    {
                        read = await input.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
                    }
                    catch (IOException e)
                    {
                        await error.WriteLineAsync($"herald parse: cannot read '{path ?? "stdin"}': {e.Message}").ConfigureAwait(false);
                        return UnreadableInput;
                    }

                    if (read == 0)
                    {
                        parser.Complete();
                        return 0;
                    }

                    try
                    {
                        parser.Append(chunk.AsSpan(0, read));
                    }
                    finally
                    {
                        // Also when the chunk failed: the events before the oversized one still count.
                        await WriteItemsAsync(parser, comments, json, lines, output, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (SseEventTooLargeException e)
            {
                await error.WriteLineAsync($"herald parse: {e.Message} Raise it with --max-event-size.").ConfigureAwait(false);
                return InvalidStream;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }
    }

    /// <summary>Writes what the parser has ready, with one write and flush per input read: prompt for a live stream, batched for a file.</summary>
    private static async Task WriteItemsAsync(SseParser parser, bool comments, Utf8JsonWriter json, ArrayBufferWriter<byte> lines, Stream output, CancellationToken cancellationToken)
    {
        while (parser.TryRead(out SseItem item))
        {
            if (item.IsEvent || comments)
            {
                WriteLine(json, lines, item);
            }
        }

        await output.WriteAsync(lines.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        lines.ResetWrittenCount();
    }

    private static void WriteLine(Utf8JsonWriter json, ArrayBufferWriter<byte> lines, SseItem item)
    {
        if (item.IsComment)
        {
            EventJson.WriteComment(json, lines, item.Data);
        }
        else
        {
            EventJson.WriteEvent(json, lines, item.Type, item.Data, item.LastEventId, item.Retry);
        }
    }
}
