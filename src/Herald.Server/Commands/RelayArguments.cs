namespace Herald.Server.Commands;

/// <summary>What <c>herald relay</c> was asked to do, as parsed from its flags.</summary>
/// <param name="From">The upstream LLM API's URL.</param>
/// <param name="StreamId">The Herald stream to produce.</param>
/// <param name="HubUrl">The hub's URL.</param>
/// <param name="Method">The upstream request's method; <see langword="null"/> for POST with a body, GET without.</param>
/// <param name="Body">The upstream request's body: text, <c>@FILE</c>, <c>-</c> for standard input, or <see langword="null"/> for none.</param>
/// <param name="Headers">The upstream request's headers, each <c>Name: value</c>.</param>
/// <param name="Format">The upstream's format: <c>auto</c>, <c>openai-chat</c>, <c>openai-responses</c> or <c>anthropic</c>.</param>
/// <param name="ReadTimeout">Seconds the upstream may stay silent before the relay gives up, if set.</param>
/// <param name="IsPrivate">Whether the Herald stream is private.</param>
/// <param name="Token">A ready publisher token, if given.</param>
/// <param name="Key">A key to sign a publisher token for the stream with, if given instead.</param>
/// <param name="Algorithm">The key's algorithm.</param>
internal sealed record RelayArguments(
    Uri From,
    string StreamId,
    Uri HubUrl,
    string? Method = null,
    string? Body = null,
    IReadOnlyList<string>? Headers = null,
    string Format = "auto",
    double? ReadTimeout = null,
    bool IsPrivate = false,
    string? Token = null,
    string? Key = null,
    string Algorithm = "HS256");
