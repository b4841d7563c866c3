using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Herald.Hub.Diagnostics;
using Herald.Sse;

namespace Herald.Server.Doctor;

/// <summary>
/// Reads a hub's diagnostics stream as a browser would ask for it (HTTP/2 where TLS offers it,
/// compression accepted) and stamps each probe event with its arrival. It decompresses by itself,
/// so a <c>Content-Encoding</c> added on the way is seen, not hidden.
/// </summary>
internal static class DiagnosticsReader
{
    /// <summary>How long after the script's expected end the doctor still waits for it.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    /// <summary>Probe events are small; a bigger one means this is not a diagnostics stream.</summary>
    private const int MaxEventSize = 64 * 1024;

    public static async Task<ProbeReading> ReadAsync(Uri url, int idleSeconds, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, ConnectTimeout = TimeSpan.FromSeconds(10) };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        request.Headers.AcceptEncoding.ParseAdd("gzip, deflate, br");

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(idleSeconds) + Grace);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new DiagnosticsUnavailableException($"cannot reach {url}: {exception.Message}", exception);
        }

        using (response)
        {
            long origin = Stopwatch.GetTimestamp();
            await EnsureAcceptedAsync(response, url, deadline.Token).ConfigureAwait(false);
            HttpContentHeaders headers = response.Content.Headers;
            var reading = new ProbeReading
            {
                HttpVersion = response.Version,
                ContentType = headers.ContentType?.ToString(),
                CacheControl = response.Headers.TryGetValues("Cache-Control", out IEnumerable<string>? cache) ? string.Join(", ", cache) : null,
                AccelBuffering = response.Headers.TryGetValues("X-Accel-Buffering", out IEnumerable<string>? accel) ? string.Join(", ", accel) : null,
                ContentEncoding = headers.ContentEncoding.Count == 0 ? null : string.Join(", ", headers.ContentEncoding),
            };

            Stream body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                Stream decoded = Decoded(body, reading.ContentEncoding);
                await using (decoded.ConfigureAwait(false))
                {
                    reading.End = await ReadProbesAsync(decoded, reading, origin, deadline.Token).ConfigureAwait(false);
                }
            }

            reading.EndedAt = Stopwatch.GetElapsedTime(origin).TotalMilliseconds;
            cancellationToken.ThrowIfCancellationRequested();
            if (reading.HubProtocol is null)
            {
                throw new DiagnosticsUnavailableException($"{url} answered, but not with Herald's diagnostics stream (no '{HeraldDiagnostics.ProbeEventType}' opening event arrived).");
            }

            return reading;
        }
    }

    private static async Task<ProbeStreamEnd> ReadProbesAsync(Stream body, ProbeReading reading, long origin, CancellationToken deadline)
    {
        using var parser = new SseParser(new SseParserOptions { MaxEventSize = MaxEventSize });
        try
        {
            await foreach (SseItem item in parser.ReadAsync(body, deadline).ConfigureAwait(false))
            {
                double arrivedAt = Stopwatch.GetElapsedTime(origin).TotalMilliseconds;
                if (!item.IsEvent || item.Type != HeraldDiagnostics.ProbeEventType || Parse(item.Data, arrivedAt, reading) is not { } arrival)
                {
                    continue;
                }

                reading.Arrivals.Add(arrival);
                if (arrival.Phase == HeraldDiagnostics.EndPhase)
                {
                    return ProbeStreamEnd.Completed;
                }
            }

            return ProbeStreamEnd.Cut;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return ProbeStreamEnd.Stalled;
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException or InvalidDataException or SseEventTooLargeException)
        {
            reading.Error = exception.Message;
            return ProbeStreamEnd.Cut;
        }
    }

    /// <summary>One probe event's data; the opening event also fills in what the hub saw.</summary>
    private static ProbeArrival? Parse(string data, double arrivedAt, ProbeReading reading)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(data);
            JsonElement root = document.RootElement;
            string phase = root.GetProperty("phase").GetString() ?? string.Empty;
            if (phase == HeraldDiagnostics.OpenPhase)
            {
                reading.HubProtocol = root.GetProperty("protocol").GetString();
                reading.Forwarded = root.GetProperty("forwarded").GetBoolean();
                reading.IdleSeconds = root.GetProperty("idle").GetInt32();
                reading.ExpectedEvents = root.GetProperty("events").GetInt32();
            }

            int? padding = root.TryGetProperty("padding", out JsonElement size) ? size.GetInt32() : null;
            return new ProbeArrival(root.GetProperty("seq").GetInt32(), phase, root.GetProperty("t").GetDouble(), arrivedAt, padding);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // Not a probe event this doctor understands: it proves nothing either way.
            return null;
        }
    }

    private static async Task EnsureAcceptedAsync(HttpResponseMessage response, Uri url, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return;
        }

        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string said = body.Trim() is { Length: > 0 } text ? $": {(text.Length > 200 ? text[..200] + "..." : text)}" : ".";
        string hint = response.StatusCode switch
        {
            HttpStatusCode.NotFound => " Is this a Herald hub with diagnostics on, and does the proxy route /.well-known/herald/diagnostics to it?",
            HttpStatusCode.TooManyRequests => " The hub runs a few diagnostics at once; retry shortly.",
            _ => string.Empty,
        };
        throw new DiagnosticsUnavailableException($"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}{said}{hint}");
    }

    /// <summary>The body decoded as <paramref name="encoding"/> says (the last coding applied is undone first).</summary>
    private static Stream Decoded(Stream body, string? encoding) => encoding?.Split(',')[^1].Trim().ToLowerInvariant() switch
    {
        null or "" or "identity" => body,
        "gzip" or "x-gzip" => new GZipStream(body, CompressionMode.Decompress, leaveOpen: true),
        "br" => new BrotliStream(body, CompressionMode.Decompress, leaveOpen: true),
        "deflate" => new ZLibStream(body, CompressionMode.Decompress, leaveOpen: true),
        _ => throw new DiagnosticsUnavailableException($"the stream arrived encoded as '{encoding}', which the doctor cannot decode; a proxy compresses it (turn compression off for text/event-stream)."),
    };
}
