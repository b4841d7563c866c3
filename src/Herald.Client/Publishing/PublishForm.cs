using System.Globalization;
using System.Text;
using Herald.Sse;

namespace Herald.Client.Publishing;

/// <summary>
/// Checks an update for what every Mercure hub refuses, and encodes it as the
/// <c>application/x-www-form-urlencoded</c> body of the POST.
/// </summary>
internal static class PublishForm
{
    /// <summary>Throws <see cref="ArgumentException"/> for an update no hub would accept, so it
    /// fails before any request instead of costing a round trip.</summary>
    public static void Validate(PublishRequest request, string paramName)
    {
        if (request.Topics.Count == 0 || request.Topics.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("An update needs at least one topic, and no topic may be null or empty.", paramName);
        }

        if (request.Id is { } id && id.StartsWith('#'))
        {
            throw new ArgumentException("The id must not start with '#': ids starting with '#' are reserved for ids the hub generates.", paramName);
        }

        // The same checks the encoder makes: a line break would end the SSE field early.
        string? problem = SseEncoder.DescribeInvalidField(request.Id, "id") ?? SseEncoder.DescribeInvalidField(request.Type, "type");
        if (problem is not null)
        {
            throw new ArgumentException(problem, paramName);
        }

        if (request.Retry < 0)
        {
            throw new ArgumentException($"The retry must be a number of milliseconds, zero or more; got {request.Retry}.", paramName);
        }
    }

    /// <summary>The body, encoded once so every attempt sends the same bytes.</summary>
    /// <param name="request">The update, already validated.</param>
    /// <param name="id">The id to send: the update's own or one generated for it, if any.</param>
    public static byte[] Encode(PublishRequest request, string? id)
    {
        var body = new StringBuilder();
        foreach (string topic in request.Topics)
        {
            Append(body, "topic", topic);
        }

        Append(body, "data", request.Data);
        if (id is not null)
        {
            Append(body, "id", id);
        }

        if (request.Type is not null)
        {
            Append(body, "type", request.Type);
        }

        if (request.Retry is { } retry)
        {
            Append(body, "retry", retry.ToString(CultureInfo.InvariantCulture));
        }

        if (request.IsPrivate)
        {
            // Hubs look at the field's presence; "on" is what an HTML checkbox sends.
            Append(body, "private", "on");
        }

        return Encoding.ASCII.GetBytes(body.ToString());
    }

    private static void Append(StringBuilder body, string name, string value)
    {
        if (body.Length > 0)
        {
            body.Append('&');
        }

        // Percent-encodes the UTF-8 bytes of everything but the unreserved characters, which
        // every form decoder reads back exactly (a lone surrogate becomes U+FFFD).
        body.Append(name).Append('=').Append(Uri.EscapeDataString(value));
    }
}
