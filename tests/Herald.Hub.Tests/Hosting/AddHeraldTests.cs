using Herald.Hub.History;
using Herald.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Herald.Hub.Tests.Hosting;

public sealed class AddHeraldTests
{
    [Fact]
    public void Options_bind_from_the_Herald_section_and_HERALD__environment_variables_then_the_callback()
    {
        const string variable = "HERALD__MAXSELECTORSPERSUBSCRIPTION";
        Environment.SetEnvironmentVariable(variable, "42");
        try
        {
            IConfiguration configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Herald:HeartbeatInterval"] = "00:00:03",
                    ["Herald:HistorySize"] = "77",
                    ["Herald:CorsOrigins:0"] = "https://app.example",
                    ["Herald:Authorization:Publisher:Key"] = TestTokens.PublisherKey,
                })
                .AddEnvironmentVariables()
                .Build();
            using ServiceProvider services = new ServiceCollection()
                .AddSingleton(configuration)
                .AddHerald(o => o.HistorySize = 88)
                .BuildServiceProvider();

            HeraldOptions options = services.GetRequiredService<IOptions<HeraldOptions>>().Value;

            Assert.Equal(TimeSpan.FromSeconds(3), options.HeartbeatInterval);
            Assert.Equal(42, options.MaxSelectorsPerSubscription);
            Assert.Equal(88, options.HistorySize);
            Assert.Equal(["https://app.example"], options.CorsOrigins);
            Assert.Equal(TestTokens.PublisherKey, options.Authorization.Publisher.Key);
            Assert.Equal(88, Assert.IsType<MemoryEventLog>(services.GetRequiredService<IEventLog>()).Capacity);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void A_wildcard_cors_origin_outside_dev_mode_fails_validation()
    {
        using ServiceProvider services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddHerald(o => o.CorsOrigins.Add("*"))
            .BuildServiceProvider();

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<HeraldOptions>>().Value);
        Assert.Contains("development mode", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_injected_publisher_delivers_to_subscribers_and_returns_the_id()
    {
        await using HubHost host = await HubHost.StartAsync(o => o.AllowAnonymous = true);
        await using SseTestClient subscriber = await host.SubscribeAsync(["https://example.com/{x}"]);
        IHeraldPublisher publisher = host.Services.GetRequiredService<IHeraldPublisher>();

        string id = await publisher.PublishAsync(new Update(["https://example.com/1"], "from the app", type: "note"));

        var received = await subscriber.NextEventAsync();
        Assert.Equal(("note", "from the app", id), (received.Type, received.Data, received.LastEventId));
        await Assert.ThrowsAsync<ArgumentException>(async () => await publisher.PublishAsync(new Update(["t"], "x", id: "#1")));
    }
}
