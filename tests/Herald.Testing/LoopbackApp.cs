using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Herald.Testing;

/// <summary>
/// The one way tests put an ASP.NET Core app on real Kestrel: bound to a free port on 127.0.0.1,
/// logging only warnings, and started, with the address it got.
/// </summary>
public static class LoopbackApp
{
    /// <summary>A slim builder bound to 127.0.0.1 on a port the OS picks.</summary>
    public static WebApplicationBuilder CreateBuilder()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        return builder;
    }

    /// <summary>
    /// A builder for a scripted server that holds streams open: it logs only what is critical
    /// (clients dropping streams is the point of such tests) and stops within 2 seconds, so that
    /// a held stream cannot hold up the end of a test.
    /// </summary>
    public static WebApplicationBuilder CreateStreamingBuilder()
    {
        WebApplicationBuilder builder = CreateBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(2));
        return builder;
    }

    /// <summary>Starts <paramref name="app"/> and returns the address Kestrel bound.</summary>
    public static async Task<Uri> StartAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.StartAsync();
        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }
}
