using Herald.Hub;
using Herald.Hub.Delivery;
using Herald.Server.Commands;
using Herald.Testing;

namespace Herald.Server.Tests.Commands;

/// <summary><c>herald serve --slow-consumer</c> and <c>--slow-consumer-rule</c>.</summary>
public sealed class ServeSlowConsumerTests
{
    [Fact]
    public void The_flags_set_the_default_and_append_rules_in_order_splitting_each_at_its_last_equals_sign()
    {
        SlowConsumerArguments? arguments = SlowConsumerArguments.Parse(
            "drop-oldest",
            ["https://example.com/prices/{symbol}=latest", "https://example.com/search?q=x=Disconnect"],
            out string? problem);
        Assert.Null(problem);
        var options = new HeraldOptions();
        options.SlowConsumerRules.Add(new SlowConsumerRule { Selector = "from-config", Policy = SlowConsumerPolicy.Latest });
        arguments!.ApplyTo(options);

        Assert.Equal(SlowConsumerPolicy.DropOldest, options.SlowConsumerPolicy);
        Assert.Equal(
            [("from-config", SlowConsumerPolicy.Latest), ("https://example.com/prices/{symbol}", SlowConsumerPolicy.Latest), ("https://example.com/search?q=x", SlowConsumerPolicy.Disconnect)],
            options.SlowConsumerRules.Select(rule => (rule.Selector, rule.Policy)));
    }

    [Theory]
    [InlineData("sometimes", null, "--slow-consumer must be disconnect, drop-oldest or latest; got 'sometimes'.")]
    [InlineData(null, "https://example.com/prices", "--slow-consumer-rule must be SELECTOR=POLICY")]
    [InlineData(null, "=latest", "--slow-consumer-rule must be SELECTOR=POLICY")]
    [InlineData(null, "*=newest", "--slow-consumer-rule must be SELECTOR=POLICY")]
    public void A_value_that_is_not_a_policy_or_a_rule_is_refused_with_what_is_expected(string? policy, string? rule, string expected)
    {
        Assert.Null(SlowConsumerArguments.Parse(policy, rule is null ? [] : [rule], out string? problem));
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_refuses_to_start_with_an_unknown_policy()
    {
        await using HeraldProcess herald = HeraldProcess.Start("serve", "--port", "0", "--in-memory", "--key", TestTokens.PublisherKey, "--slow-consumer", "sometimes");
        Assert.Equal(2, await herald.WaitForExitAsync());
        Assert.Contains("--slow-consumer must be disconnect, drop-oldest or latest", herald.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_refuses_to_start_with_a_rule_whose_selector_is_an_invalid_template()
    {
        await using HeraldProcess herald = HeraldProcess.Start("serve", "--port", "0", "--in-memory", "--key", TestTokens.PublisherKey, "--slow-consumer-rule", "https://example.com/{oops=latest");
        Assert.Equal(2, await herald.WaitForExitAsync());
        Assert.Contains("SlowConsumerRules[0]: invalid selector", herald.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_starts_with_a_default_policy_and_rules()
    {
        await using HeraldProcess herald = HeraldProcess.Start(
            "serve", "--port", "0", "--in-memory", "--key", TestTokens.PublisherKey,
            "--slow-consumer", "drop-oldest", "--slow-consumer-rule", "https://example.com/prices/{symbol}=latest");
        Assert.StartsWith("http://127.0.0.1:", await herald.WaitForHubUrlAsync(), StringComparison.Ordinal);
    }
}
