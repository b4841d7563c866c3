using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Herald.Hub.Streams;
using Herald.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.ChatDemo.Tests;

/// <summary>
/// The demo as <c>dotnet run</c> starts it (<see cref="ChatDemoApp.Build"/>), on real Kestrel at
/// a free port of 127.0.0.1, with the generator at the rate a test needs.
/// </summary>
internal sealed class DemoHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DemoHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Origin = baseAddress.GetLeftPart(UriPartial.Authority);

        // No cookie container: a test sends the cookie it means to, and sees every Set-Cookie.
        Client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = baseAddress, Timeout = Bounded.DefaultWait };
    }

    public Uri BaseAddress { get; }

    /// <summary>The page's origin, as a browser sends it.</summary>
    public string Origin { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public ChatGenerator Generator => Services.GetRequiredService<ChatGenerator>();

    /// <summary>Starts the demo; <paramref name="settings"/> are more command-line settings (<c>--Section:Key=value</c>).</summary>
    public static async Task<DemoHost> StartAsync(double tokensPerSecond, params string[] settings)
    {
        WebApplication app = ChatDemoApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            // A test host stops at once rather than draining its readers over the default window.
            "--Herald:DrainWindow=00:00:00",
            "--ChatDemo:TokensPerSecond=" + tokensPerSecond.ToString(CultureInfo.InvariantCulture),
            .. settings,
        ]);
        return new DemoHost(app, await LoopbackApp.StartAsync(app));
    }

    /// <summary>A reader token as the page gets it in its cookie.</summary>
    public string ReaderToken() => Services.GetRequiredService<ReaderCookie>().MintToken(out _);

    /// <summary>The <c>Cookie</c> header a browser sends with the page's stream requests.</summary>
    public string ReaderCookieHeader() => "mercureAuthorization=" + ReaderToken();

    public Task<HttpResponseMessage> PostChatAsync(HttpContent content) => Client.PostAsync("/api/chat", content);

    /// <summary>Asks for an answer as the page does; asserts a 201 and returns the stream id.</summary>
    public async Task<string> StartChatAsync(string prompt)
    {
        using HttpResponseMessage response = await PostChatAsync(JsonContent.Create(new { prompt }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        ChatStarted? started = await response.Content.ReadFromJsonAsync<ChatStarted>();
        Assert.NotNull(started);
        return started.StreamId;
    }

    /// <summary>Reads the stream from its start to its end with a reader token.</summary>
    public async Task<HeraldStreamTranscript> ReadStreamAsync(string streamId)
    {
        await using SseTestClient reader = await SseTestClient.ConnectAsync(Client, HeraldStreamTranscript.Url(BaseAddress, streamId), token: ReaderToken());
        return await HeraldStreamTranscript.ReadAsync(reader);
    }

    /// <summary>A cancel as the page's Stop sends it: the cookie, and <paramref name="origin"/> if not null.</summary>
    public async Task<HttpResponseMessage> CancelWithCookieAsync(string streamId, string? origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{TokenStreamNames.DefaultPath}/{streamId}/cancel");
        request.Headers.Add("Cookie", ReaderCookieHeader());
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
