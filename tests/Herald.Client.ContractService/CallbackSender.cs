using System.Globalization;
using System.Net.Http.Json;
using System.Threading.Channels;

namespace Herald.Client.ContractService;

/// <summary>
/// Posts a stream's callbacks to <c>{callbackUrl}/{n}</c>, n counting from 1, one at a time and
/// in the order they were queued: the harness reorders by n, but sending in order keeps it simple.
/// </summary>
internal sealed class CallbackSender : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly string _baseUrl;
    private readonly Channel<CallbackMessage> _queue = Channel.CreateUnbounded<CallbackMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sending;
    private int _sent;

    public CallbackSender(HttpClient http, Uri callbackUrl)
    {
        _http = http;
        _baseUrl = callbackUrl.ToString().TrimEnd('/');
        _sending = SendAllAsync();
    }

    /// <summary>Queues a callback; never waits.</summary>
    public void Post(CallbackMessage message) => _queue.Writer.TryWrite(message);

    private async Task SendAllAsync()
    {
        try
        {
            await foreach (CallbackMessage message in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                string url = _baseUrl + "/" + (++_sent).ToString(CultureInfo.InvariantCulture);
                try
                {
                    using HttpResponseMessage response = await _http.PostAsJsonAsync(url, message, ServiceJsonContext.Default.CallbackMessage, _stop.Token).ConfigureAwait(false);
                }
                catch (HttpRequestException)
                {
                    // The harness's endpoint for this stream is gone (its test ended): nobody is listening.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The stream was deleted: callbacks not yet sent are dropped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _sending.ConfigureAwait(false);
        _stop.Dispose();
    }
}
