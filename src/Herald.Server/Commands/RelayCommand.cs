using System.CommandLine;
using System.Text;
using System.Text.Json;
using Herald.Client;
using Herald.Client.Publishing;
using Herald.Client.Streams;
using Herald.Client.Streams.Relay;
using Herald.Hub.Streams;
using TokenStreamStatus = Herald.Client.Streams.TokenStreamStatus;

namespace Herald.Server.Commands;

/// <summary>
/// <c>herald relay</c>: sends one request to an LLM API that answers with an event stream (OpenAI
/// Chat Completions, OpenAI Responses, Anthropic Messages) and republishes the answer into a Herald
/// token stream (<see cref="StreamRelay"/>), so that any number of readers can watch it live,
/// resume it, replay it, and stop it: a Stop closes the upstream request.
/// </summary>
internal static class RelayCommand
{
    /// <summary>Exit code when the stream did not end as done: the upstream failed or broke off, someone stopped the stream, the relay was interrupted, or the hub refused or ended the stream.</summary>
    public const int Failed = 1;

    /// <summary>Exit code for invalid input, or when the hub or the upstream cannot be reached.</summary>
    public const int Unusable = 2;

    public static Command Create()
    {
        Option<Uri> from = HttpUrlOption.Create("--from", "The upstream LLM API's streaming URL, such as https://api.openai.com/v1/chat/completions.");
        var method = new Option<string?>("--method") { Description = "The upstream request's method. Default: POST with --body, GET without." };
        var body = new Option<string?>("--body") { Description = "The upstream request's body (with \"stream\": true): the text itself, '@FILE' to read FILE, or '-' for stdin. Sent as application/json unless a Content-Type header says otherwise." };
        var headers = new Option<string[]>("--header", "-H") { Description = "An upstream request header, 'Name: value' (repeatable), e.g. 'Authorization: Bearer ...' or 'x-api-key: ...'.", AllowMultipleArgumentsPerToken = true };
        var stream = new Option<string>("--stream") { Description = "The Herald stream id to produce: new for every generation (a UUID), 1 to 128 of A-Z a-z 0-9 - _ . ~", Required = true };
        Option<Uri> hub = HttpUrlOption.Create("--hub", "The hub's URL: its base, such as http://127.0.0.1:8080/, or its /.well-known/mercure URL.");
        var format = new Option<string>("--format") { Description = "The upstream's format; auto tells it from the first event.", DefaultValueFactory = _ => "auto" };
        format.AcceptOnlyFromAmong("auto", "openai-chat", "openai-responses", "anthropic");
        var readTimeout = new Option<double?>("--read-timeout") { Description = "Seconds the upstream may send nothing before the relay fails the stream. Default: no limit." };
        var isPrivate = new Option<bool>("--private") { Description = "Make the stream private: only readers whose token allows its topic receive it." };
        var tokens = new PublisherTokenOptions("The publisher JWT to open the stream with; it must allow the topic /.well-known/herald/streams/ID.", "the stream's topic");

        var command = new Command("relay", """
            Relay an LLM API's streamed answer into a Herald token stream: readers watch, resume and replay it,
            and a Stop on the stream closes the upstream request. The request is sent once, never again.
            Prints the stream's end as one JSON line. Exit codes: 0 done, 1 the upstream failed or the stream
            was cancelled (or refused by the hub), 2 invalid input, or the hub or the upstream unreachable.
            """)
        {
            from, method, body, headers, stream, hub, format, readTimeout, isPrivate,
        };
        tokens.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            var arguments = new RelayArguments(
                result.GetValue(from)!,
                result.GetValue(stream)!,
                result.GetValue(hub)!,
                result.GetValue(method),
                result.GetValue(body),
                result.GetValue(headers),
                result.GetValue(format)!,
                result.GetValue(readTimeout),
                result.GetValue(isPrivate),
                result.GetValue(tokens.Token),
                result.GetValue(tokens.Key),
                result.GetValue(tokens.Algorithm)!);
            return RunAsync(arguments, Console.In, Console.Out, Console.Error, cancellationToken);
        });
        return command;
    }

    /// <summary>Runs the command with explicit streams, so tests can drive it in-process.</summary>
    /// <param name="arguments">The upstream request, the stream, the hub and the token.</param>
    /// <param name="input">Standard input, read when the body is <c>-</c>.</param>
    /// <param name="output">Where the stream's end goes, as one JSON line.</param>
    /// <param name="error">Where messages for the user go.</param>
    /// <param name="cancellationToken">Stops the relay (Ctrl-C): the upstream request is closed and the stream fails.</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(RelayArguments arguments, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        (EventSourceOptions? upstream, RelayFormat format, string? token, string? invalid) = await PrepareAsync(arguments, input, cancellationToken).ConfigureAwait(false);
        if (invalid is not null)
        {
            await error.WriteLineAsync($"herald relay: {invalid}").ConfigureAwait(false);
            return Unusable;
        }

        using var client = new TokenStreamClient(new TokenStreamClientOptions { HubUrl = arguments.HubUrl, Token = token });
        TokenStreamWriter writer;
        try
        {
            writer = await client.OpenAsync(arguments.StreamId, arguments.IsPrivate, cancellationToken).ConfigureAwait(false);
        }
        catch (HubPublishException exception)
        {
            await error.WriteLineAsync($"herald relay: the hub refused the stream: {PublishCommand.Describe(exception)}").ConfigureAwait(false);
            return Failed;
        }
        catch (TokenStreamEndedException exception)
        {
            await error.WriteLineAsync($"herald relay: {exception.Message}").ConfigureAwait(false);
            return Failed;
        }
        catch (HttpRequestException exception)
        {
            await error.WriteLineAsync($"herald relay: cannot reach the hub at {arguments.HubUrl}: {exception.Message}").ConfigureAwait(false);
            return Unusable;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("herald relay: stopped before the stream opened; nothing was sent upstream.").ConfigureAwait(false);
            return Failed;
        }

        await using (writer.ConfigureAwait(false))
        {
            await error.WriteLineAsync($"herald relay: stream {arguments.StreamId} is active; relaying {upstream!.Method} {arguments.From.GetLeftPart(UriPartial.Path)}").ConfigureAwait(false);
            RelaySummary summary;
            try
            {
                summary = await StreamRelay.RelayAsync(upstream, writer, format, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync($"herald relay: stopped; the upstream request was closed and the stream ended as an error ({StreamRelay.StoppedReason}).").ConfigureAwait(false);
                return Failed;
            }

            await output.WriteLineAsync(EndJson(arguments.StreamId, summary)).ConfigureAwait(false);
            await error.WriteLineAsync($"herald relay: {Describe(summary)}").ConfigureAwait(false);
            return summary.Status == TokenStreamStatus.Done ? 0
                : summary.UpstreamEnd?.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError } ? Unusable
                : Failed;
        }
    }

    /// <summary>Everything checked before the hub is contacted: the stream id, the format, the upstream request, the token.</summary>
    private static async Task<(EventSourceOptions? Upstream, RelayFormat Format, string? Token, string? Invalid)> PrepareAsync(RelayArguments arguments, TextReader input, CancellationToken cancellationToken)
    {
        if (!TokenStreamNames.IsValidId(arguments.StreamId))
        {
            return (null, default, null, $"--stream '{arguments.StreamId}' is not a stream id: 1 to {TokenStreamNames.MaxIdLength} characters of A-Z a-z 0-9 - _ . ~");
        }

        if (ParseFormat(arguments.Format) is not { } format)
        {
            return (null, default, null, $"--format '{arguments.Format}' is not auto, openai-chat, openai-responses or anthropic.");
        }

        byte[]? body;
        try
        {
            body = arguments.Body switch
            {
                null => null,
                "-" => Encoding.UTF8.GetBytes(await input.ReadToEndAsync(cancellationToken).ConfigureAwait(false)),
                ['@', .. string path] => await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false),
                string text => Encoding.UTF8.GetBytes(text),
            };
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return (null, default, null, $"cannot read --body {arguments.Body}: {exception.Message}");
        }

        HttpMethod method;
        try
        {
            method = arguments.Method is { } name ? new HttpMethod(name.ToUpperInvariant()) : body is null ? HttpMethod.Get : HttpMethod.Post;
        }
        catch (FormatException)
        {
            return (null, default, null, $"--method '{arguments.Method}' is not an HTTP method.");
        }

        var upstream = new EventSourceOptions
        {
            Url = arguments.From,
            Method = method,
            Body = body,
            ReadTimeout = arguments.ReadTimeout is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : null,
        };
        if (HeaderArguments.AddTo(arguments.Headers ?? [], upstream.Headers) is { } header)
        {
            return (null, default, null, $"--header '{header}' is not 'Name: value'.");
        }

        if (body is not null)
        {
            upstream.Headers.TryAdd("Content-Type", "application/json");
        }

        try
        {
            return (upstream, format, PublisherTokenOptions.Resolve(arguments.Token, arguments.Key, arguments.Algorithm, [TokenStreamNames.TopicOf(arguments.StreamId)]), null);
        }
        catch (Exception exception) when (TokenSigning.IsKeyProblem(exception))
        {
            return (null, default, null, $"cannot sign a token with --key: {TokenSigning.Describe(exception)}");
        }
    }

    private static RelayFormat? ParseFormat(string name) => name switch
    {
        "auto" => RelayFormat.Auto,
        "openai-chat" => RelayFormat.OpenAIChat,
        "openai-responses" => RelayFormat.OpenAIResponses,
        "anthropic" => RelayFormat.Anthropic,
        _ => null,
    };

    /// <summary>The stream's end as the hub states it (<c>stream</c>, <c>status</c>, <c>tokens</c>, <c>reason</c>), plus the upstream's stop reason.</summary>
    private static string EndJson(string streamId, RelaySummary summary)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("stream", streamId);
            json.WriteString("status", summary.Status.ToString().ToLowerInvariant());
            if (summary.Stream is { } stream)
            {
                json.WriteNumber("tokens", stream.Tokens);
            }

            if (summary.Reason is { } reason)
            {
                json.WriteString("reason", reason);
            }

            if (summary.UpstreamEnd is { Kind: UpstreamPartKind.End, Value.Length: > 0 } end)
            {
                json.WriteString("stopReason", end.Value);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Describe(RelaySummary summary) => summary.Status switch
    {
        TokenStreamStatus.Done => $"done: {summary.Stream?.Tokens} events relayed.",
        TokenStreamStatus.Cancelled => $"the stream was cancelled ({summary.Reason}); the upstream request was closed.",
        _ => $"the stream ended as an error: {summary.Reason}",
    };
}
