using System.Net;
using BenchmarkDotNet.Attributes;
using Herald.Client.Streams;
using Herald.Hub.Authorization;
using Herald.Hub.Streams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Herald.Benchmarks;

/// <summary>
/// How long Stop takes to reach a producer: from sending <c>POST .../{id}/cancel</c> (a reader's
/// token, over real HTTP on 127.0.0.1) to the producer's cancellation token firing. Each
/// operation cancels a stream opened, unmeasured, in the iteration's setup. The producer sits in
/// the hub's process (as the chat demo's generator does), or in another process's place behind
/// Herald.Client's <see cref="TokenStreamWriter"/>, told over its HTTP control channel.
/// </summary>
/// <remarks>Not sealed because BenchmarkDotNet derives its runner from the class.</remarks>
public class StreamCancelBenchmarks : IDisposable
{
    private const string Key = "herald-benchmark-secret-0123456789abcdef";

    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private TokenStreams _streams = null!;
    private Uri _base = null!;
    private string _token = "";
    private TokenStreamClient _producers = null!;
    private string _streamId = "";
    private TokenStreamProducer? _inProcess;
    private TokenStreamWriter? _overHttp;
    private TaskCompletionSource _cancelled = null!;
    private Task _sent = Task.CompletedTask;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddHerald(options =>
        {
            options.Authorization.Publisher.Key = Key;
            options.Authorization.Subscriber.Key = Key;
            options.HistorySize = 1_000_000;
        });
        _app = builder.Build();
        _app.MapHerald();
        _app.StartAsync().GetAwaiter().GetResult();
        _base = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        _streams = _app.Services.GetRequiredService<TokenStreams>();
        _client = new HttpClient();
        _token = HubTokenFactory.Create(new HeraldJwtOptions { Key = Key }, null, [TokenStreamNames.DefaultPath + "/{id}"]);
        _producers = new TokenStreamClient(new TokenStreamClientOptions
        {
            HubUrl = _base,
            Token = HubTokenFactory.Create(new HeraldJwtOptions { Key = Key }, [TokenStreamNames.DefaultPath + "/{id}"], null),
        });
    }

    [IterationSetup(Target = nameof(CancelReachesInProcessProducer))]
    public void OpenInProcess()
    {
        _streamId = $"in-process-{++_next}";
        _inProcess = _streams.OpenAsync(_streamId).GetAwaiter().GetResult();
        _cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inProcess.Cancelled.Register(_cancelled.SetResult);
    }

    [IterationSetup(Target = nameof(CancelReachesHttpProducer))]
    public void OpenOverHttp()
    {
        _streamId = $"over-http-{++_next}";
        _overHttp = _producers.OpenAsync(_streamId).GetAwaiter().GetResult();
        _cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _overHttp.Cancelled.Register(_cancelled.SetResult);
    }

    [Benchmark]
    public Task CancelReachesInProcessProducer() => CancelAsync();

    [Benchmark]
    public Task CancelReachesHttpProducer() => CancelAsync();

    private async Task CancelAsync()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_base, $"{TokenStreamNames.DefaultPath}/{_streamId}/cancel"));
        request.Headers.Authorization = new("Bearer", _token);
        _sent = _client.SendAsync(request).ContinueWith(response =>
        {
            request.Dispose();
            using HttpResponseMessage answer = response.Result;
            if (answer.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"cancel answered {(int)answer.StatusCode}");
            }
        }, TaskScheduler.Default);

        // The measure ends when the producer knows, not when the canceller gets its 202.
        await _cancelled.Task.ConfigureAwait(false);
    }

    [IterationCleanup]
    public void AwaitAnswer()
    {
        _sent.GetAwaiter().GetResult();
        _overHttp?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _overHttp = null;
    }

    [GlobalCleanup]
    public void Cleanup() => Dispose();

    /// <inheritdoc />
    public void Dispose()
    {
        _producers.Dispose();
        _client.Dispose();
        _app.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_app).Dispose();
        GC.SuppressFinalize(this);
    }
}
