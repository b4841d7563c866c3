using System.CommandLine;
using Herald.Client.Publishing;

namespace Herald.Server.Commands;

/// <summary>
/// <c>herald publish</c>: posts one update to a Mercure hub (Herald or any other) and prints the
/// id it answered. With <c>--key</c> it signs its own publisher token for the topics, so a
/// developer can publish to <c>herald serve --key SECRET</c> without minting one first.
/// </summary>
internal static class PublishCommand
{
    /// <summary>Exit code when the update is refused: by the hub (4xx, 5xx) or, before sending, as invalid.</summary>
    public const int Refused = 1;

    /// <summary>Exit code when the hub cannot be reached or does not answer in time.</summary>
    public const int Unreachable = 2;

    /// <summary>How long one attempt may wait for the hub's answer.</summary>
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        Option<Uri> hub = HttpUrlOption.Create("--hub", "The hub's URL, such as http://127.0.0.1:8080/.well-known/mercure.");
        var topics = new Option<string[]>("--topic") { Description = "The update's topic; repeat it for alternates (the first is the canonical topic).", Required = true };
        var data = new Option<string?>("--data") { Description = "The event data; '-' reads it from stdin (one final line break dropped). Default: empty." };
        var id = new Option<string?>("--id") { Description = "The event id (default: the hub generates one). With an id, failed attempts are retried safely." };
        var type = new Option<string?>("--type") { Description = "The event type (default: message)." };
        var retry = new Option<long?>("--retry") { Description = "The reconnection time in milliseconds to send to subscribers." };
        var isPrivate = new Option<bool>("--private") { Description = "Deliver only to subscribers whose token allows one of the topics." };
        var tokens = new PublisherTokenOptions("The publisher JWT to send.", "the topics");
        var retries = new Option<int>("--retries") { Description = "How many times a failed attempt may be retried: with --id after a network failure, a 5xx or a 429; without, only when no connection could be made.", DefaultValueFactory = _ => 3 };
        retries.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--retries must be 0 or more.");
            }
        });

        var command = new Command("publish", """
            Publish one update to a Mercure hub and print its id.
            Exit codes: 0 published, 1 refused (the hub's status and message are printed) or invalid, 2 hub unreachable.
            """)
        {
            hub, topics, data, id, type, retry, isPrivate, retries,
        };
        tokens.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            var arguments = new PublishArguments(
                result.GetValue(hub)!,
                result.GetValue(topics) ?? [],
                result.GetValue(data),
                result.GetValue(id),
                result.GetValue(type),
                result.GetValue(retry),
                result.GetValue(isPrivate),
                result.GetValue(tokens.Token),
                result.GetValue(tokens.Key),
                result.GetValue(tokens.Algorithm)!,
                result.GetValue(retries));
            return RunAsync(arguments, Console.In, Console.Out, Console.Error, cancellationToken);
        });
        return command;
    }

    /// <summary>Runs the command with explicit streams, so tests can drive it in-process.</summary>
    /// <param name="arguments">What to publish, where, and with which token.</param>
    /// <param name="input">Standard input, read when the data is <c>-</c>.</param>
    /// <param name="output">Where the id goes.</param>
    /// <param name="error">Where messages for the user go.</param>
    /// <param name="cancellationToken">Stops waiting (Ctrl-C).</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(PublishArguments arguments, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string data = arguments.Data == "-"
            ? WithoutFinalLineBreak(await input.ReadToEndAsync(cancellationToken).ConfigureAwait(false))
            : arguments.Data ?? string.Empty;

        string? token;
        try
        {
            token = PublisherTokenOptions.Resolve(arguments.Token, arguments.Key, arguments.Algorithm, arguments.Topics);
        }
        catch (Exception exception) when (TokenSigning.IsKeyProblem(exception))
        {
            await error.WriteLineAsync($"herald publish: cannot sign a token with --key: {TokenSigning.Describe(exception)}").ConfigureAwait(false);
            return Refused;
        }

        var request = new PublishRequest(arguments.Topics, data)
        {
            Id = arguments.Id,
            Type = arguments.Type,
            Retry = arguments.Retry,
            IsPrivate = arguments.IsPrivate,
        };
        using var http = new HttpClient { Timeout = AttemptTimeout };
        using var publisher = new HubPublisher(http, new HubPublisherOptions { HubUrl = arguments.HubUrl, Token = token, MaxRetries = arguments.Retries });
        try
        {
            string published = await publisher.PublishAsync(request, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(published).ConfigureAwait(false);
            return 0;
        }
        catch (ArgumentException exception)
        {
            await error.WriteLineAsync($"herald publish: {TokenSigning.Describe(exception)}").ConfigureAwait(false);
            return Refused;
        }
        catch (HubPublishException exception)
        {
            await error.WriteLineAsync($"herald publish: {Describe(exception)}").ConfigureAwait(false);
            return Refused;
        }
        catch (HttpRequestException exception)
        {
            await error.WriteLineAsync($"herald publish: cannot reach {arguments.HubUrl}: {exception.Message}").ConfigureAwait(false);
            return Unreachable;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"herald publish: {arguments.HubUrl} did not answer within {AttemptTimeout.TotalSeconds:0} seconds.").ConfigureAwait(false);
            return Unreachable;
        }
    }

    /// <summary>A hub's refusal for a person: its status code and its message (or the status's name when it gave none).</summary>
    public static string Describe(HubPublishException refusal) =>
        $"{(int)refusal.StatusCode} {(refusal.HubMessage.Length > 0 ? refusal.HubMessage : refusal.StatusCode.ToString())}";

    /// <summary>Drops the one line break that <c>echo</c> and most editors put at the end of what they write.</summary>
    private static string WithoutFinalLineBreak(string text) =>
        text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2]
        : text.EndsWith('\n') || text.EndsWith('\r') ? text[..^1]
        : text;
}
