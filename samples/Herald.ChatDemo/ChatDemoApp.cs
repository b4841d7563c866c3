using System.Security.Cryptography;
using Microsoft.Extensions.Configuration.Memory;
using Herald.Hub;
using Herald.Hub.Authorization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Herald.ChatDemo;

/// <summary>The demo app: the Herald hub embedded with <c>AddHerald</c>/<c>MapHerald</c>, the
/// fake model behind <c>POST /api/chat</c>, and the page.</summary>
internal static class ChatDemoApp
{
    /// <summary>Builds the app from command-line arguments (and the usual configuration sources).</summary>
    public static WebApplication Build(string[] args)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        ConfigurationManager configuration = builder.Configuration;

        // Defaults under every other source (there is no appsettings.json: the app may run from any
        // directory), so the arguments and the environment still override them.
        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            },
        });
        if (string.IsNullOrEmpty(configuration[WebHostDefaults.ServerUrlsKey])
            && string.IsNullOrEmpty(configuration[WebHostDefaults.HttpPortsKey])
            && string.IsNullOrEmpty(configuration[WebHostDefaults.HttpsPortsKey]))
        {
            builder.WebHost.UseUrls(ChatDemoOptions.DefaultUrl);
        }

        builder.Services.AddOptions<ChatDemoOptions>().BindConfiguration(ChatDemoOptions.SectionName)
            .Validate(o => o.TokensPerSecond >= 0 && o.MaxPromptLength > 0 && o.ReaderTokenLifetime > TimeSpan.Zero,
                "ChatDemo: TokensPerSecond must not be negative; MaxPromptLength and ReaderTokenLifetime must be positive.")
            .ValidateOnStart();

        // The demo's defaults, before AddHerald binds the Herald section, so configuration can change them:
        // every answer is about 150 events, and the history must hold the answers readers may still replay.
        builder.Services.Configure<HeraldOptions>(o =>
        {
            o.HistorySize = 50_000;
            o.MaxActiveStreams = 100;
        });
        builder.Services.AddSingleton<IHubAuthorizer, PageOriginAuthorizer>();
        builder.Services.AddHerald(o =>
        {
            // Never wide open: random keys unless configured (Herald:Authorization:Subscriber:Key, ...).
            // Nobody gets a publisher token; the subscriber key signs the page's reader tokens.
            UseRandomKeyUnlessSet(o.Authorization.Publisher);
            UseRandomKeyUnlessSet(o.Authorization.Subscriber);
        });
        builder.Services.AddSingleton<ChatGenerator>();
        builder.Services.AddSingleton<ReaderCookie>();

        WebApplication app = builder.Build();
        DemoPage.Map(app);
        ChatEndpoints.Map(app);
        app.MapHerald();
        return app;
    }

    /// <summary>Where the started app can be opened.</summary>
    public static IEnumerable<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];

    private static void UseRandomKeyUnlessSet(HeraldJwtOptions keys)
    {
        if (string.IsNullOrEmpty(keys.Key) && string.IsNullOrEmpty(keys.JwksFile))
        {
            keys.Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
            keys.Algorithm = "HS256";
        }
    }
}
