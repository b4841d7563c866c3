using System.CommandLine;
using System.Net;
using System.Security.Cryptography;
using Herald.Hub;
using Herald.Hub.Authorization;
using Herald.Hub.History.Sqlite;
using Herald.Hub.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Herald.Server.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Server.Commands;

/// <summary>
/// <c>herald serve</c>: runs the hub on Kestrel, with its page at <c>/</c>. Settings come from
/// the <c>Herald</c> configuration section (<c>appsettings.json</c>, <c>HERALD__...</c>
/// environment variables) and the flags, which win.
/// </summary>
internal static class ServeCommand
{
    /// <summary>Exit code when the hub cannot start with the settings given.</summary>
    public const int InvalidSettings = 2;

    /// <summary>Exit code when the history store cannot be opened (locked, corrupt, unwritable).</summary>
    public const int StoreUnavailable = 3;

    /// <summary>Concurrent HTTP/2 streams (subscriptions) one connection may carry.</summary>
    private const int MaxHttp2StreamsPerConnection = 1_000;

    /// <summary>Connections the kernel may queue before the hub accepts them.</summary>
    private const int ListenBacklog = 4_096;

    /// <summary>Seconds a client may take to send a request's headers (slowloris defence).</summary>
    private const double DefaultRequestHeadersTimeout = 10;
    /// <summary>The name of the command; it handles SIGTERM and Ctrl-C through the web host.</summary>
    public const string Name = "serve";

    /// <summary>The default drain timeout is the drain window plus this: time for in-flight
    /// publishes, the server's stop and the store's close after the last subscription.</summary>
    private static readonly TimeSpan DrainMargin = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "A JSON file of settings (docs/configuration.md): the hub's under \"Herald\", serve's under \"Herald:Server\". Environment variables (HERALD__...) override it; flags override both." };
        var address = new Option<string?>("--address") { Description = "The IP address to listen on (default 127.0.0.1; Herald:Server:Address)." };
        var port = new Option<int?>("--port") { Description = "The port to listen on; 0 picks a free one (default 8080; Herald:Server:Port)." };
        var h2cPort = new Option<int?>("--h2c-port") { Description = "Also serve cleartext HTTP/2 with prior knowledge (h2c) on this port, as proxies and load generators speak it to an upstream; 0 picks a free one." };
        var key = new Option<string?>("--key") { Description = "The JWT key for publishers and subscribers: an HMAC secret, or a PEM public key for RS256/ES256. '@FILE' reads it from FILE." };
        var publisherKey = new Option<string?>("--publisher-key") { Description = "The publishers' JWT key, when it differs from --key." };
        var subscriberKey = new Option<string?>("--subscriber-key") { Description = "The subscribers' JWT key, when it differs from --key." };
        var algorithm = new Option<string?>("--algorithm") { Description = "The keys' JWT algorithm: HS256 (default), HS384, HS512, RS256 or ES256." };
        var jwks = new Option<string?>("--jwks") { Description = "A JWKS file whose keys are accepted for publishers and subscribers." };
        var anonymous = new Option<bool>("--anonymous") { Description = "Let subscribers without a token receive public updates." };
        var corsOrigins = new Option<string[]>("--cors-origin") { Description = "An origin allowed to use the hub from a browser, with credentials (repeatable).", AllowMultipleArgumentsPerToken = true };
        var publishOrigins = new Option<string[]>("--publish-origin") { Description = "An origin allowed to publish with the authorization cookie (repeatable; default: the CORS origins).", AllowMultipleArgumentsPerToken = true };
        var heartbeat = new Option<double?>("--heartbeat") { Description = "Seconds of silence after which a subscription gets a heartbeat comment (default 15)." };
        var dataDirectory = new Option<string?>("--data-dir") { Description = "Where the SQLite history lives (default ./herald-data)." };
        var durability = new Option<SqliteDurability?>("--durability") { Description = "Full (default): every publish is on disk before its 200. Normal: it survives a crash of the hub but the last commits can be lost if the machine loses power." };
        var inMemory = new Option<bool>("--in-memory") { Description = "Keep the history in memory only (lost at restart), sized by --history-size." };
        var historySize = new Option<int?>("--history-size") { Description = "With --in-memory: how many updates the history keeps (default 10000)." };
        var retentionEvents = new Option<long?>("--retention-events") { Description = "The most events the SQLite history keeps (default 1000000)." };
        var retentionAge = new Option<double?>("--retention-hours") { Description = "How many hours the SQLite history keeps an event (default 168, seven days)." };
        var retentionBytes = new Option<long?>("--retention-bytes") { Description = "The most bytes of events the SQLite history keeps (default: no limit)." };
        var maxSubscribers = new Option<int?>("--max-subscribers") { Description = "The most subscribers connected at once (default: derived from the file-descriptor limit)." };
        var maxLifetime = new Option<double?>("--max-lifetime") { Description = "The most seconds a subscription stays open (default 600; each is drawn between 80% and 100% of it)." };
        var redis = new Option<string?>("--redis") { Description = "Keep the history in Redis Streams at this URL (redis://[user:password@]host:port[/database], Redis 7+) instead of SQLite: every hub started with the same Redis and prefix serves the same stream." };
        var redisPrefix = new Option<string?>("--redis-prefix") { Description = "With --redis: the prefix of the hub's keys (default herald); another prefix is another hub." };
        var subscriptions = new Option<bool>("--subscriptions") { Description = "Turn on the active subscriptions API and subscription events." };
        var maxDiagnostics = new Option<int?>("--max-diagnostics") { Description = "How many delivery-path diagnostics streams (read by herald doctor at /.well-known/herald/diagnostics) may run at once (default 4; past it, 429); 0 turns the endpoint off." };
        var slowConsumer = new Option<string?>("--slow-consumer") { Description = $"What happens to a subscriber whose queue is full because it reads too slowly: {SlowConsumerArguments.Names}. disconnect (default) closes it and its client resumes with Last-Event-ID; drop-oldest drops its oldest queued updates and sends a herald-reset event naming them; latest keeps only the newest queued update of each topic (for state such as prices)." };
        var slowConsumerRules = new Option<string[]>("--slow-consumer-rule") { Description = "SELECTOR=POLICY: the slow-consumer policy for subscriptions to topics the selector (*, a topic or a URI template) matches (repeatable; the first matching rule wins, and a subscription with several selectors gets the strictest: disconnect, then drop-oldest, then latest).", AllowMultipleArgumentsPerToken = true };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Serve /metrics (Prometheus text format: the hub's, Kestrel's and the runtime's meters) on this port, apart from the hub's; 0 picks a free one. Off by default." };
        var metricsAddress = new Option<string>("--metrics-address") { Description = "The IP address the --metrics-port listener binds (default 127.0.0.1: only local scrapers).", DefaultValueFactory = _ => "127.0.0.1" };
        var logFormat = new Option<ServeLogFormat>("--log-format") { Description = "The console log's format: simple (default, for a terminal) or json (one object per line, for a log shipper)." };
        var logLevel = new Option<LogLevel?>("--log-level") { Description = "The least severe entries Herald logs: Trace, Debug, Information (default), Warning, Error. ASP.NET Core's own stay at Warning." };
        var headersTimeout = new Option<double>("--request-headers-timeout") { Description = "Seconds a client may take to send a request's headers, from its first byte; a slower one (slowloris) is disconnected (default 10).", DefaultValueFactory = _ => DefaultRequestHeadersTimeout };
        var drainWindow = new Option<double?>("--drain-window") { Description = "Seconds a graceful stop (SIGTERM, Ctrl-C) spends closing subscriptions, spread evenly so clients do not all reconnect at once; meanwhile /readyz answers 503 and new subscriptions and publishes 503 with Retry-After (default 10; 0 closes them at once)." };
        var drainReconnect = new Option<double?>("--drain-reconnect") { Description = "The shortest reconnect delay, in seconds, sent to each drained subscription as 'retry:'; each gets between it and twice it (default 2)." };
        var drainTimeout = new Option<double?>("--drain-timeout") { Description = "Seconds a graceful stop may take in all before connections are cut and the process exits; more than --drain-window (default: the window plus 5)." };
        var dev = new Option<bool>("--dev") { Description = "Development mode: anonymous subscribers, any CORS origin, and a generated key whose publisher token is printed. Never in production." };

        var command = new Command(Name, "Run the Mercure hub, with its page at /.")
        {
            config, address, port, h2cPort, key, publisherKey, subscriberKey, algorithm, jwks, anonymous, corsOrigins, publishOrigins,
            heartbeat, dataDirectory, durability, inMemory, historySize, retentionEvents, retentionAge, retentionBytes, redis, redisPrefix, maxSubscribers, maxLifetime, subscriptions, dev,
            maxDiagnostics,
            slowConsumer, slowConsumerRules,
            metricsPort, metricsAddress, logFormat, logLevel,
            headersTimeout,
            drainWindow, drainReconnect, drainTimeout,
        };

        var limits = new ServeLimitOptions();
        limits.AddTo(command);

        command.SetAction((result, cancellationToken) =>
        {
            bool isDev = result.GetValue(dev);
            string? devSecret = isDev && result.GetValue(key) is null && result.GetValue(publisherKey) is null && result.GetValue(jwks) is null
                ? Base64UrlSecret()
                : null;

            if (SlowConsumerArguments.Parse(result.GetValue(slowConsumer), result.GetValue(slowConsumerRules) ?? [], out string? slowConsumerProblem) is not { } slowConsumers)
            {
                Console.Error.WriteLine($"herald serve: {slowConsumerProblem}");
                return Task.FromResult(InvalidSettings);
            }

            void Configure(HeraldOptions options)
            {
                slowConsumers.ApplyTo(options);
                HeraldAuthorizationOptions authorization = options.Authorization;
                SetKey(authorization.Publisher, devSecret ?? result.GetValue(publisherKey) ?? result.GetValue(key), result.GetValue(algorithm), result.GetValue(jwks));
                SetKey(authorization.Subscriber, devSecret ?? result.GetValue(subscriberKey) ?? result.GetValue(key), result.GetValue(algorithm), result.GetValue(jwks));
                options.AllowAnonymous |= result.GetValue(anonymous) || isDev;
                options.EnableSubscriptions |= result.GetValue(subscriptions);
                options.DevMode |= isDev;
                foreach (string origin in result.GetValue(corsOrigins) ?? [])
                {
                    options.CorsOrigins.Add(origin);
                }

                foreach (string origin in result.GetValue(publishOrigins) ?? [])
                {
                    authorization.PublishOrigins.Add(origin);
                }

                if (isDev && options.CorsOrigins.Count == 0)
                {
                    options.CorsOrigins.Add("*");
                }

                // A browser allowed to use the hub may also publish with the cookie, unless the
                // publish origins are listed separately.
                if (authorization.PublishOrigins.Count == 0)
                {
                    foreach (string origin in options.CorsOrigins)
                    {
                        authorization.PublishOrigins.Add(origin);
                    }
                }

                if (result.GetValue(heartbeat) is { } seconds)
                {
                    options.HeartbeatInterval = TimeSpan.FromSeconds(seconds);
                }

                if (result.GetValue(historySize) is { } size)
                {
                    options.HistorySize = size;
                }

                if (result.GetValue(maxSubscribers) is { } cap)
                {
                    options.MaxSubscribers = cap;
                }

                if (result.GetValue(maxLifetime) is { } lifetime)
                {
                    options.MaxSubscriptionLifetime = TimeSpan.FromSeconds(lifetime);
                }

                if (result.GetValue(maxDiagnostics) is { } diagnostics)
                {
                    options.MaxDiagnosticsStreams = diagnostics;
                }

                limits.Apply(result, options);
                if (result.GetValue(drainWindow) is { } window)
                {
                    options.DrainWindow = TimeSpan.FromSeconds(window);
                }

                if (result.GetValue(drainReconnect) is { } reconnect)
                {
                    options.DrainReconnectDelay = TimeSpan.FromSeconds(reconnect);
                }
            }

            void ConfigureStore(SqliteEventLogOptions store)
            {
                store.DataDirectory = result.GetValue(dataDirectory) ?? store.DataDirectory;
                store.Durability = result.GetValue(durability) ?? store.Durability;
                store.MaxEvents = result.GetValue(retentionEvents) ?? store.MaxEvents;
                store.MaxAge = result.GetValue(retentionAge) is { } hours ? TimeSpan.FromHours(hours) : store.MaxAge;
                store.MaxBytes = result.GetValue(retentionBytes) ?? store.MaxBytes;
            }

            IConfigurationRoot configuration;
            ServeSettings server;
            try
            {
                configuration = ServeConfiguration.Load(result.GetValue(config));
                server = ServeConfiguration.ServerSettings(configuration);
            }
            catch (Exception exception) when (exception is FileNotFoundException or InvalidDataException or FormatException or InvalidOperationException)
            {
                Console.Error.WriteLine($"herald serve: {exception.Message}");
                return Task.FromResult(InvalidSettings);
            }

            string listenAddress = result.GetValue(address) ?? server.Address;
            if (!IPAddress.TryParse(listenAddress == "localhost" ? "127.0.0.1" : listenAddress, out IPAddress? ip))
            {
                Console.Error.WriteLine($"herald serve: the address to listen on must be an IP address; got '{listenAddress}'.");
                return Task.FromResult(InvalidSettings);
            }

            // The flags choose the history over the configuration's Herald:Server:Store.
            HistoryStore store = result.GetValue(redis) is not null ? HistoryStore.Redis : result.GetValue(inMemory) ? HistoryStore.Memory : server.Store;
            MetricsListener? metrics = null;
            if (result.GetValue(metricsPort) is { } metricsPortNumber)
            {
                if (!IPAddress.TryParse(result.GetValue(metricsAddress) == "localhost" ? "127.0.0.1" : result.GetValue(metricsAddress), out IPAddress? metricsIp))
                {
                    Console.Error.WriteLine($"herald serve: --metrics-address must be an IP address; got '{result.GetValue(metricsAddress)}'.");
                    return Task.FromResult(InvalidSettings);
                }

                metrics = new MetricsListener(new IPEndPoint(metricsIp, metricsPortNumber));
            }

            void ConfigureLogging(ILoggingBuilder logging) => ServeLogging.Configure(logging, result.GetValue(logFormat), result.GetValue(logLevel));

            ForwardedHeadersOptions? forwarded = limits.ForwardedHeadersFor(result, out string? proxyProblem);
            if (proxyProblem is not null)
            {
                Console.Error.WriteLine($"herald serve: {proxyProblem}");
                return Task.FromResult(InvalidSettings);
            }

            if (result.GetValue(redis) is not null && result.GetValue(inMemory))
            {
                Console.Error.WriteLine("herald serve: --redis and --in-memory are two different histories; pass one.");
                return Task.FromResult(InvalidSettings);
            }

            void ConfigureHistory(IServiceCollection services)
            {
                if (store == HistoryStore.Redis)
                {
                    services.AddHeraldRedis(redisOptions =>
                    {
                        redisOptions.Configuration = result.GetValue(redis) ?? redisOptions.Configuration;
                        redisOptions.Prefix = result.GetValue(redisPrefix) ?? redisOptions.Prefix;
                    });
                }
                else if (store == HistoryStore.Sqlite)
                {
                    services.AddHeraldSqlite(ConfigureStore);
                }
            }

            if (result.GetValue(headersTimeout) is not (> 0 and <= 3_600) and var badTimeout)
            {
                Console.Error.WriteLine($"herald serve: --request-headers-timeout must be between 0 and 3600 seconds; got {badTimeout}.");
                return Task.FromResult(InvalidSettings);
            }

            void ConfigureKestrel(KestrelServerLimits limits) => limits.RequestHeadersTimeout = TimeSpan.FromSeconds(result.GetValue(headersTimeout));

            TimeSpan? shutdownTimeout = result.GetValue(drainTimeout) is { } timeout ? TimeSpan.FromSeconds(timeout) : null;
            var endpoint = new IPEndPoint(ip, result.GetValue(port) ?? server.Port);
            var run = new ServeRun(configuration, endpoint, result.GetValue(h2cPort) ?? server.H2cPort, Configure, ConfigureHistory, ConfigureLogging, ConfigureKestrel, forwarded, metrics, shutdownTimeout, devSecret);
            return RunAsync(run, Console.Out, Console.Error, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(ServeRun run, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();

        // The layers already read (appsettings.json, --config, the environment), above the
        // builder's own, so the --config file counts and the environment still overrides it.
        builder.Configuration.AddConfiguration(run.Configuration);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // A browser multiplexes every EventSource of an origin over one HTTP/2 connection, and
            // each stays open: at Kestrel's default of 100 streams the 101st would wait forever.
            kestrel.Limits.Http2.MaxStreamsPerConnection = MaxHttp2StreamsPerConnection;
            run.ConfigureLimits(kestrel.Limits);
            kestrel.Listen(run.Endpoint);
            if (run.H2cPort is { } cleartextPort)
            {
                kestrel.Listen(run.Endpoint.Address, cleartextPort, listener => listener.Protocols = HttpProtocols.Http2);
            }

            run.Metrics?.Listen(kestrel);
        });

        // Subscribers reconnect in bursts (a deploy, a network blip): a deeper accept queue than
        // the default 512 keeps such a burst from being refused while the hub catches up.
        builder.WebHost.UseSockets(sockets => sockets.Backlog = ListenBacklog);
        run.ConfigureLogging(builder.Logging);
        builder.Services.AddHerald(run.ConfigureHub);
        run.ConfigureHistory(builder.Services);

        // The host's stop runs the drain first and then stops the server; its timeout bounds both,
        // so the process exits within it even when clients do not let go.
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<HeraldOptions>>((host, herald) =>
            host.ShutdownTimeout = run.DrainTimeout ?? herald.Value.DrainWindow + DrainMargin);

        WebApplication app;
        HeraldOptions options;
        try
        {
            app = builder.Build();
            options = app.Services.GetRequiredService<IOptions<HeraldOptions>>().Value;
            if (string.IsNullOrEmpty(options.Authorization.Publisher.Key) && string.IsNullOrEmpty(options.Authorization.Publisher.JwksFile))
            {
                await error.WriteLineAsync("herald serve: no publisher key. Pass --key (or --publisher-key, --jwks), set Herald:Authorization:Publisher:Key, or use --dev.").ConfigureAwait(false);
                return InvalidSettings;
            }

            if (run.DrainTimeout is { } timeout && (timeout <= TimeSpan.Zero || timeout <= options.DrainWindow))
            {
                await error.WriteLineAsync($"herald serve: --drain-timeout ({timeout.TotalSeconds} s) must be longer than the drain window ({options.DrainWindow.TotalSeconds} s), or the drain would be cut short.").ConfigureAwait(false);
                return InvalidSettings;
            }

            // Builds the authorizer and opens the store now, so a bad key or a store that cannot
            // be used stops the start with its message.
            app.Services.GetRequiredService<HeraldHub>();
            app.Services.GetRequiredService<IHubAuthorizer>();
        }
        catch (HeraldStoreException exception)
        {
            await error.WriteLineAsync($"herald serve: {exception.Message}").ConfigureAwait(false);
            return StoreUnavailable;
        }
        catch (Exception exception) when (exception is OptionsValidationException or ArgumentException or InvalidOperationException or IOException or CryptographicException or FormatException)
        {
            await error.WriteLineAsync($"herald serve: {exception.Message}").ConfigureAwait(false);
            return InvalidSettings;
        }

        if (run.Forwarded is not null)
        {
            // First, so every endpoint (and every limit) sees the client the trusted proxy names.
            app.UseForwardedHeaders(run.Forwarded);
        }

        string? devToken = run.DevSecret is null ? null : HubTokenFactory.Create(new HeraldJwtOptions { Key = run.DevSecret }, publish: ["*"], subscribe: ["*"]);
        run.Metrics?.Map(app);
        var page = new HubPage(HeraldEndpointRouteBuilderExtensions.DefaultPath, devToken);
        app.MapGet("/", page.WriteAsync);
        app.MapHerald();

        // Liveness: the process answers. Readiness: the history answers (and a node of a cluster
        // follows the shared one), so a load balancer routes around a node cut off from Redis.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HeraldReadinessCheck.Tag) });

        await using (app.ConfigureAwait(false))
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            string baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            string hubUrl = baseUrl + HeraldEndpointRouteBuilderExtensions.DefaultPath;
            await output.WriteLineAsync($"herald: hub listening on {hubUrl}").ConfigureAwait(false);
            if (run.H2cPort is not null)
            {
                // The second listener; the metrics listener, when there is one, comes after it.
                string cleartextUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ElementAt(1);
                await output.WriteLineAsync($"herald: HTTP/2 cleartext (h2c, prior knowledge) on {cleartextUrl}{HeraldEndpointRouteBuilderExtensions.DefaultPath}").ConfigureAwait(false);
            }

            await output.WriteLineAsync($"herald: page at {baseUrl}/").ConfigureAwait(false);
            if (run.Metrics is not null)
            {
                await output.WriteLineAsync($"herald: metrics at {run.Metrics.Url}").ConfigureAwait(false);
            }

            if (devToken is not null)
            {
                await output.WriteLineAsync($"""
                    herald: development mode: anonymous subscribers, any CORS origin, and a generated HS256 key for publishers and subscribers:
                    {run.DevSecret}
                    A token signed with it that may publish and subscribe to every topic:
                    {devToken}
                    Publish:
                      curl -d 'topic=https://example.com/books/1' -d 'data={"{"}"title":"Hello"{"}"}' -H 'Authorization: Bearer {devToken}' {hubUrl}
                    Subscribe:
                      curl -N '{hubUrl}?topic=https://example.com/books/%7Bid%7D'
                    """).ConfigureAwait(false);
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }

    private static void SetKey(HeraldJwtOptions target, string? key, string? algorithm, string? jwksFile)
    {
        if (key is not null)
        {
            target.Key = key.StartsWith('@') ? File.ReadAllText(key[1..]) : key;
        }

        if (algorithm is not null)
        {
            target.Algorithm = algorithm;
        }

        if (jwksFile is not null)
        {
            target.JwksFile = jwksFile;
        }
    }

    /// <summary>A fresh 256-bit HMAC secret for development mode, printable as it is.</summary>
    private static string Base64UrlSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
