namespace Herald.Client.Streams.Relay;

/// <summary>The upstream SSE formats the relay understands.</summary>
public enum RelayFormat
{
    /// <summary>Decided from the upstream's first event (see <see cref="UpstreamReader"/>).</summary>
    Auto,

    /// <summary>
    /// OpenAI Chat Completions (and the many APIs compatible with it): unnamed <c>data:</c>
    /// chunks whose <c>choices[0].delta.content</c> is text, ending with <c>data: [DONE]</c>.
    /// </summary>
    OpenAIChat,

    /// <summary>OpenAI Responses: named events with a <c>sequence_number</c>, ending with <c>response.completed</c>.</summary>
    OpenAIResponses,

    /// <summary>Anthropic Messages: named events (<c>content_block_delta</c>, <c>ping</c>, ...), ending with <c>message_stop</c>.</summary>
    Anthropic,
}
