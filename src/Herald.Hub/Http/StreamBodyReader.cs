using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Herald.Hub.Streams;
using Herald.Sse;

namespace Herald.Hub.Http;

/// <summary>
/// Reads a streaming publish body as it arrives, in either of its two forms, into tokens, typed
/// events and an explicit failure: <c>text/event-stream</c> through Herald.Sse's parser, or
/// <c>application/x-ndjson</c> one JSON value per line.
/// </summary>
internal static class StreamBodyReader
{
    /// <summary>Reads <c>text/event-stream</c>: an untyped event is a token, a typed one a typed
    /// event, <c>herald-error</c> the failure; ids and retries are ignored, comments keep alive.</summary>
    public static async IAsyncEnumerable<StreamBodyPart> ReadEventStreamAsync(PipeReader body, int maxEventSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var parser = new SseParser(new SseParserOptions { MaxEventSize = maxEventSize });
        await foreach (SseItem item in parser.ReadAsync(body, cancellationToken).ConfigureAwait(false))
        {
            if (item.IsComment)
            {
                yield return StreamBodyPart.KeepAlive;
            }
            else if (item.Type == TokenStreamNames.ErrorEventType)
            {
                yield return new StreamBodyPart(StreamBodyPartKind.Error, null, item.Data);
            }
            else if (item.Type == SseItem.DefaultEventType)
            {
                yield return new StreamBodyPart(StreamBodyPartKind.Event, null, item.Data);
            }
            else
            {
                yield return TypedEvent(item.Type, item.Data);
            }
        }
    }

    /// <summary>Reads <c>application/x-ndjson</c>: a JSON string or <c>{"token":...}</c> is a token,
    /// <c>{"event":...,"data":...}</c> a typed event, <c>{"error":...}</c> the failure; an empty
    /// line keeps alive. A line that is none of these throws <see cref="InvalidDataException"/>.</summary>
    public static async IAsyncEnumerable<StreamBodyPart> ReadNdjsonAsync(PipeReader body, int maxEventSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long lineNumber = 0;
        while (true)
        {
            ReadResult result = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            var parts = new List<StreamBodyPart>();

            // A whole line can arrive in one read: it is held to the limit as much as one still
            // arriving. The lines before it are still published, as the event stream's are.
            bool tooLarge = false;
            while (buffer.PositionOf((byte)'\n') is { } end)
            {
                ReadOnlySequence<byte> line = buffer.Slice(0, end);
                if (line.Length > maxEventSize)
                {
                    tooLarge = true;
                    break;
                }

                parts.Add(ParseLine(line, ++lineNumber));
                buffer = buffer.Slice(buffer.GetPosition(1, end));
            }

            tooLarge |= buffer.Length > maxEventSize;
            if (!tooLarge && result.IsCompleted && buffer.Length > 0)
            {
                // The last line may end without a newline.
                parts.Add(ParseLine(buffer, ++lineNumber));
                buffer = buffer.Slice(buffer.End);
            }

            body.AdvanceTo(buffer.Start, buffer.End);
            foreach (StreamBodyPart part in parts)
            {
                yield return part;
            }

            if (tooLarge)
            {
                throw new SseEventTooLargeException(maxEventSize);
            }

            if (result.IsCompleted)
            {
                yield break;
            }
        }
    }

    private static StreamBodyPart ParseLine(ReadOnlySequence<byte> line, long lineNumber)
    {
        if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r')
        {
            line = line.Slice(0, line.Length - 1);
        }

        if (line.Length == 0)
        {
            return StreamBodyPart.KeepAlive;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            if (root.ValueKind == JsonValueKind.String)
            {
                return new StreamBodyPart(StreamBodyPartKind.Event, null, root.GetString()!);
            }

            if (root.ValueKind == JsonValueKind.Object)
            {
                if (StringMember(root, "token") is { } token)
                {
                    return new StreamBodyPart(StreamBodyPartKind.Event, null, token);
                }

                if (StringMember(root, "error") is { } reason)
                {
                    return new StreamBodyPart(StreamBodyPartKind.Error, null, reason);
                }

                if (StringMember(root, "event") is { } type && StringMember(root, "data") is { } data)
                {
                    return TypedEvent(type, data);
                }
            }
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"Line {lineNumber} of the body is not JSON: {exception.Message}", exception);
        }

        throw new InvalidDataException($"Line {lineNumber} of the body is none of a JSON string, {{\"token\":\"...\"}}, {{\"event\":\"...\",\"data\":\"...\"}} or {{\"error\":\"...\"}}.");
    }

    private static StreamBodyPart TypedEvent(string type, string data) =>
        TokenStreamProducer.DescribeInvalidType(type) is { } problem
            ? throw new InvalidDataException(problem)
            : new StreamBodyPart(StreamBodyPartKind.Event, type, data);

    private static string? StringMember(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
