using Herald.Hub.Streams;
using Microsoft.Extensions.Options;

namespace Herald.ChatDemo;

/// <summary>The body of <c>POST /api/chat</c>.</summary>
internal sealed record ChatRequest(string? Prompt);

/// <summary>The answer to <c>POST /api/chat</c>: the stream to read.</summary>
internal sealed record ChatStarted(string StreamId, string Url);

/// <summary>The app's API: <c>POST /api/chat</c> starts an answer and returns its stream.</summary>
internal static class ChatEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints) => endpoints.MapPost("/api/chat", StartAsync);

    /// <summary>
    /// Starts generating the answer to the prompt in a new stream; 201 with the stream's id and
    /// URL (also in <c>Location</c>), and a fresh reader cookie. 400 for a missing, empty or too
    /// long prompt, 415 for a body that is not JSON, 503 when the hub has too many answers active.
    /// </summary>
    private static async Task<IResult> StartAsync(
        ChatRequest? request, HttpContext context, ChatGenerator generator, ReaderCookie cookie, IOptions<ChatDemoOptions> options)
    {
        if (!ChatPrompt.TryClean(request?.Prompt, options.Value.MaxPromptLength, out string prompt, out string problem))
        {
            return TypedResults.Problem(problem, statusCode: StatusCodes.Status400BadRequest);
        }

        ChatGeneration generation;
        try
        {
            generation = await generator.StartAsync(prompt, context.RequestAborted);
        }
        catch (TokenStreamLimitException)
        {
            context.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem("Too many answers are being generated; try again in a few seconds.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        cookie.Set(context);
        string url = TokenStreamNames.DefaultPath + "/" + generation.StreamId;
        return TypedResults.Created(url, new ChatStarted(generation.StreamId, url));
    }
}
