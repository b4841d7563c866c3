namespace Herald.Testing;

/// <summary>
/// What each recorded upstream stream (<c>tests/Herald.Client.Tests/Streams/Relay/Fixtures</c>)
/// must read as: written out by hand from the fixtures, not computed by the code under test.
/// </summary>
public static class RelayFixtures
{
    public const string OpenAIChatText = "Relays carry one answer to many readers:\n\"café\" ☕ and 🛰️ included.";

    public const string OpenAIResponsesText = "Sequence numbers keep the order: first, second, third — and ✓ at the end.";

    public const string AnthropicText = "Pings are ignored; the text 日本語 and emoji 👋 survive the relay.\nSecond line.";

    /// <summary>Each fixture: its name, its format as <c>herald relay --format</c> names it, its text, whether it ends normally, and its stop reason or error reason.</summary>
    public static IReadOnlyList<RelayFixture> All { get; } =
    [
        new("openai-chat", "openai-chat", OpenAIChatText, true, "stop"),
        new("openai-chat-error", "openai-chat", "Half an answer and", false, "server_error: The upstream model stopped while generating; try again."),
        new("openai-responses", "openai-responses", OpenAIResponsesText, true, "completed"),
        new("openai-responses-failed", "openai-responses", "Three deltas in", false, "server_error: The response could not be finished."),
        new("anthropic", "anthropic", AnthropicText, true, "end_turn"),
        new("anthropic-error", "anthropic", "Until the API was overloaded", false, "overloaded_error: Overloaded"),
    ];

    /// <summary>The fixtures' names, for a theory over all of them.</summary>
    public static TheoryData<string> Names() => [.. All.Select(fixture => fixture.Name)];

    public static RelayFixture Named(string name) => All.Single(fixture => fixture.Name == name);
}

/// <summary>One recorded upstream stream and what it must read as.</summary>
public sealed record RelayFixture(string Name, string Format, string Text, bool Ends, string Reason);
