using System.Net;
using BenchmarkDotNet.Attributes;
using Herald.Hub.Authorization;
using Herald.Hub.History.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Herald.Benchmarks;

/// <summary>
/// End-to-end publish throughput over HTTP: the hub as <c>herald serve</c> runs it (Kestrel on
/// 127.0.0.1, the SQLite store in a temporary directory), and N concurrent publishers each
/// POSTing a form and awaiting its 200 before the next. Mean is per acknowledged publish.
/// </summary>
/// <remarks>Client and server share the machine's two cores, so this is a floor, not the
/// server's ceiling. Not sealed because BenchmarkDotNet derives its runner from the class.</remarks>
[EventsPerSecondColumn]
public class HttpPublishBenchmarks : IDisposable
{
    private const int PublishesPerInvoke = 640;
    private const string Key = "herald-benchmark-publisher-secret-0123456789";

    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private string _directory = "";
    private string _token = "";
    private Uri _hub = null!;

    [Params(1, 64)]
    public int Publishers { get; set; }

    [Params(SqliteDurability.Full, SqliteDurability.Normal)]
    public SqliteDurability Durability { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "herald-bench-" + Guid.NewGuid().ToString("N"));
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddHerald(options => options.Authorization.Publisher.Key = Key);
        builder.Services.AddHeraldSqlite(options =>
        {
            options.DataDirectory = _directory;
            options.Durability = Durability;
        });
        _app = builder.Build();
        _app.MapHerald();
        _app.StartAsync().GetAwaiter().GetResult();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _hub = new Uri(new Uri(address), "/.well-known/mercure");
        _client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 });
        _token = HubTokenFactory.Create(new HeraldJwtOptions { Key = Key }, ["*"], null);
    }

    [Benchmark(OperationsPerInvoke = PublishesPerInvoke)]
    public Task Publish() =>
        Task.WhenAll(Enumerable.Range(0, Publishers).Select(async publisher =>
        {
            for (int i = publisher; i < PublishesPerInvoke; i += Publishers)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _hub)
                {
                    Content = new FormUrlEncodedContent([new("topic", "https://example.com/prices/ACME"), new("data", "{\"price\":101.25}")]),
                };
                request.Headers.Authorization = new("Bearer", _token);
                using HttpResponseMessage response = await _client.SendAsync(request).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"publish answered {(int)response.StatusCode}");
                }
            }
        }));

    [GlobalCleanup]
    public void Cleanup()
    {
        Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _client.Dispose();
        _app.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_app).Dispose();
        GC.SuppressFinalize(this);
    }
}
