namespace Herald.Client.Streams.Relay;

/// <summary>The adapter for each <see cref="RelayFormat"/>.</summary>
internal static class UpstreamAdapters
{
    public static IUpstreamAdapter Create(RelayFormat format) => format switch
    {
        RelayFormat.Auto => new AutoDetectAdapter(),
        RelayFormat.OpenAIChat => new OpenAIChatAdapter(),
        RelayFormat.OpenAIResponses => new OpenAIResponsesAdapter(),
        RelayFormat.Anthropic => new AnthropicAdapter(),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not a relay format."),
    };
}
