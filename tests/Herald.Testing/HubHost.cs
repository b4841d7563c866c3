using System.Net;
using Herald.Hub;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Testing;

/// <summary>
/// A hub embedded the way an application embeds it (<c>AddHerald</c>, <c>MapHerald</c>), on real
/// Kestrel bound to a free port on 127.0.0.1, with the test keys and a blank page for browsers.
/// </summary>
public sealed class HubHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HubHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        HubUrl = new Uri(baseAddress, "/.well-known/mercure");
        Client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseAddress,
            Timeout = Bounded.DefaultWait,
        };
    }

    public Uri BaseAddress { get; }

    public Uri HubUrl { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public HeraldHub Hub => Services.GetRequiredService<HeraldHub>();

    /// <summary>Starts a hub with the test keys; <paramref name="configure"/> changes the options
    /// and <paramref name="services"/> the services after <c>AddHerald</c>.</summary>
    public static async Task<HubHost> StartAsync(Action<HeraldOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        WebApplicationBuilder builder = LoopbackApp.CreateBuilder();
        builder.Services.AddHerald(options =>
        {
            options.Authorization.Publisher.Key = TestTokens.PublisherKey;
            options.Authorization.Subscriber.Key = TestTokens.SubscriberKey;
            // A test host stops at once: tests that drain over a window set it themselves.
            options.DrainWindow = TimeSpan.Zero;
            configure?.Invoke(options);
        });
        services?.Invoke(builder.Services);

        WebApplication app = builder.Build();
        app.MapGet("/blank", (HttpContext context) =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync("<!doctype html><title>blank</title><body></body>");
        });
        app.MapHerald();
        return new HubHost(app, await LoopbackApp.StartAsync(app));
    }

    /// <summary>The subscribe URL for these selectors (and optional query parameters).</summary>
    public string SubscribeUrl(IEnumerable<string> selectors, string? lastEventId = null)
    {
        string query = string.Join('&', selectors.Select(selector => "topic=" + Uri.EscapeDataString(selector)));
        if (lastEventId is not null)
        {
            query += "&lastEventID=" + Uri.EscapeDataString(lastEventId);
        }

        return $"{HubUrl}?{query}";
    }

    public string SubscribeUrl(params string[] selectors) => SubscribeUrl((IEnumerable<string>)selectors);

    /// <summary>Subscribes with a subscriber token allowing <paramref name="allowed"/> (or anonymously when null).</summary>
    public Task<SseTestClient> SubscribeAsync(string[] selectors, string[]? allowed = null, string? lastEventId = null) =>
        SseTestClient.ConnectAsync(Client, SubscribeUrl(selectors), lastEventId, allowed is null ? null : TestTokens.Subscriber(allowed));

    /// <summary>Posts a form to the hub with the given bearer token (a publisher token for every topic by default).</summary>
    public async Task<HttpResponseMessage> PostAsync(IEnumerable<KeyValuePair<string, string>> form, string? token = "default")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, HubUrl) { Content = new FormUrlEncodedContent(form) };
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token == "default" ? TestTokens.Publisher("*") : token);
        }

        return await Client.SendAsync(request);
    }

    /// <summary>Publishes and returns the id, asserting a 200.</summary>
    public async Task<string> PublishAsync(string topic, string data, string? id = null, string? type = null, bool isPrivate = false, params string[] alternates)
    {
        var form = new List<KeyValuePair<string, string>> { new("topic", topic) };
        form.AddRange(alternates.Select(alternate => new KeyValuePair<string, string>("topic", alternate)));
        form.Add(new("data", data));
        if (id is not null)
        {
            form.Add(new("id", id));
        }

        if (type is not null)
        {
            form.Add(new("type", type));
        }

        if (isPrivate)
        {
            form.Add(new("private", "on"));
        }

        using HttpResponseMessage response = await PostAsync(form);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"publish answered {(int)response.StatusCode}: {body}");
        return body;
    }

    /// <summary>Stops the host the way a service manager does (its graceful stop, the drain
    /// included); <see cref="DisposeAsync"/> stops it too when a test has not.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
