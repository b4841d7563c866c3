using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Herald.Client.ContractService;

/// <summary>
/// The service's endpoints: <c>GET /</c> (status and capabilities), <c>POST /</c> (create a
/// stream), <c>POST /streams/{id}</c> (restart, listen), <c>DELETE /streams/{id}</c>, and
/// <c>DELETE /</c> (stop the service).
/// </summary>
internal static class ContractServiceApp
{
    /// <summary>What the client supports, by the harness's names; the harness runs the optional tests for these.</summary>
    public static readonly IReadOnlyList<string> Capabilities =
    [
        "comments", "headers", "last-event-id", "post", "report", "read-timeout", "restart", "bom",
        "event-type-listeners", "server-directed-shutdown-request",
    ];

    /// <summary>Builds the service on 127.0.0.1 at <paramref name="port"/> (0 picks a free one).</summary>
    public static WebApplication Create(int port)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // A singleton the container disposes with the app: streams still open are closed then.
        builder.Services.AddSingleton<StreamRegistry>();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(5));
        WebApplication app = builder.Build();

        app.MapGet("/", () => Results.Json(new ServiceStatus("herald-client", Capabilities), ServiceJsonContext.Default.ServiceStatus));
        app.MapDelete("/", (IHostApplicationLifetime lifetime) =>
        {
            lifetime.StopApplication();
            return Results.NoContent();
        });
        app.MapPost("/", CreateStreamAsync);
        app.MapPost("/streams/{id:int}", CommandAsync);
        app.MapDelete("/streams/{id:int}", DeleteStreamAsync);
        return app;
    }

    /// <summary>The address the service listens on.</summary>
    public static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

    private static async Task<IResult> CreateStreamAsync(HttpRequest request, StreamRegistry streams)
    {
        CreateStreamRequest? create = await ReadJsonAsync(request, ServiceJsonContext.Default.CreateStreamRequest);
        if (create is null)
        {
            return Results.BadRequest("The body must be a JSON object with streamUrl and callbackUrl.");
        }

        StreamEntity stream;
        try
        {
            stream = StreamEntity.Start(create, streams.CallbackHttp);
        }
        catch (ArgumentException exception)
        {
            return Results.BadRequest(exception.Message);
        }

        int id = streams.Add(stream);
        return Results.Created(string.Create(CultureInfo.InvariantCulture, $"/streams/{id}"), null);
    }

    private static async Task<IResult> CommandAsync(int id, HttpRequest request, StreamRegistry streams)
    {
        if (streams.Find(id) is not { } stream)
        {
            return Results.NotFound();
        }

        StreamCommand? command = await ReadJsonAsync(request, ServiceJsonContext.Default.StreamCommand);
        switch (command)
        {
            case { Command: "restart" }:
                stream.Restart();
                return Results.Ok();
            case { Command: "listen", Listen.Type: { Length: > 0 } type }:
                stream.Listen(type);
                return Results.Ok();
            default:
                return Results.BadRequest($"Unknown command: {command?.Command ?? "(none)"}.");
        }
    }

    private static async Task<IResult> DeleteStreamAsync(int id, StreamRegistry streams)
    {
        if (streams.Remove(id) is not { } stream)
        {
            return Results.NotFound();
        }

        await stream.DisposeAsync();
        return Results.NoContent();
    }

    /// <summary>The body as <typeparamref name="T"/>, or null when it is not valid JSON of that shape.</summary>
    private static async Task<T?> ReadJsonAsync<T>(HttpRequest request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, type, request.HttpContext.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
