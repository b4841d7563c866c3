using System.IO.Pipelines;
using System.Net;
using System.Text;
using Herald.Testing;

namespace Herald.Hub.Tests.Streams;

/// <summary>
/// A streaming publish written by hand, byte by byte, so the hub's endpoint is tested without
/// Herald.Client: the request body is a pipe the test writes into (sent chunked, flushed as
/// written), and the response, the producer's control channel, is read as an event stream.
/// </summary>
internal sealed class RawProducer : IAsyncDisposable
{
    private readonly Pipe _body = new();
    private readonly Task<HttpResponseMessage> _sending;
    private SseTestClient? _control;

    private RawProducer(HttpClient client, string url, string contentType, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new PipeContent(_body.Reader, contentType) };
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        _sending = client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>The producer's control channel (<c>GET {id}/control</c>): HttpClient over
    /// HTTP/1.1 reads the POST's own response only once the whole body is sent.</summary>
    public SseTestClient Control => _control!;

    /// <summary>Starts the request and opens the control channel once the hub has opened the
    /// stream; throws with the hub's answer when it refused the stream.</summary>
    public static async Task<RawProducer> StartAsync(HubHost host, string streamId, string contentType = "text/event-stream", string? token = null, string query = "")
    {
        token ??= TestTokens.Publisher("*");
        var producer = new RawProducer(host.Client, StreamReading.StreamUrl(host, streamId) + query, contentType, token);
        using CancellationTokenSource bound = Bounded.Wait();
        while (true)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(host.BaseAddress, $"{Herald.Hub.Streams.TokenStreamNames.DefaultPath}/{streamId}/control"));
            request.Headers.Authorization = new("Bearer", token);
            HttpResponseMessage control = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, bound.Token);
            if (control.StatusCode == HttpStatusCode.OK)
            {
                producer._control = SseTestClient.Read(control);
                return producer;
            }

            control.Dispose();
            if (producer._sending.IsCompleted)
            {
                HttpResponseMessage refused = await producer._sending;
                throw new InvalidOperationException($"The hub refused the stream: {(int)refused.StatusCode} {await refused.Content.ReadAsStringAsync()}");
            }

            // Not open yet: the POST is on its way.
            await Task.Delay(10, bound.Token);
        }
    }

    /// <summary>The POST's own response, after the body ended: the control channel's events, whole.</summary>
    public async Task<List<Herald.Sse.SseItem>> ResponseEventsAsync()
    {
        using HttpResponseMessage response = await _sending.WaitAsync(Bounded.DefaultWait);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        return [.. Herald.Sse.SseParser.Parse(body).Where(item => item.IsEvent)];
    }

    public async Task WriteAsync(string text)
    {
        await _body.Writer.WriteAsync(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Ends the body cleanly: the stream is done.</summary>
    public Task CompleteAsync() => _body.Writer.CompleteAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        await _body.Writer.CompleteAsync();
        if (_control is not null)
        {
            await _control.DisposeAsync();
        }
    }

    private sealed class PipeContent : HttpContent
    {
        private readonly PipeReader _reader;

        public PipeContent(PipeReader reader, string contentType)
        {
            _reader = reader;
            Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            // The request's head goes out now, not with the first token: the hub opens the stream on it.
            await stream.FlushAsync();
            while (true)
            {
                ReadResult result = await _reader.ReadAsync();
                foreach (ReadOnlyMemory<byte> segment in result.Buffer)
                {
                    await stream.WriteAsync(segment);
                }

                await stream.FlushAsync();
                _reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
