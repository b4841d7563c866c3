using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Herald.Testing;
using Microsoft.Playwright;

namespace Herald.ChatDemo.Tests.Browser;

/// <summary>
/// The page in real Chromium against the demo on Kestrel: a reload mid-answer resumes it, a
/// second tab joins it, Stop cancels it. The generator is slow enough that the answer is still
/// streaming when the test acts (about 160 tokens: 6 to 16 seconds), and every wait is bounded.
/// </summary>
[Collection(UsesChromium.Name)]
public sealed partial class ChatPageTests(ChromiumFixture chromium)
{
    /// <summary>Long enough for a whole answer at the slowest rate used here.</summary>
    private static readonly float AnswerWait = 40_000;

    [Fact]
    public async Task A_reload_mid_answer_resumes_after_the_last_token_shown_and_ends_with_the_exact_answer()
    {
        await using DemoHost host = await DemoHost.StartAsync(tokensPerSecond: 25);
        const string prompt = "What happens when I reload the page?";
        (IPage page, string id, ConcurrentQueue<string> reads) = await AskAsync(host, prompt);

        string beforeReload = await AnswerAsync(page);
        await page.ReloadAsync();
        await WaitForStatusAsync(page, "done");

        string expected = FakeAnswer.Compose(prompt);
        Assert.StartsWith(beforeReload, expected, StringComparison.Ordinal);
        Assert.Equal(expected, await AnswerAsync(page));
        Assert.Equal(prompt, await page.Locator("#question").TextContentAsync());

        // Two reads: from the start, then, after the reload, from an event the page had already shown.
        Assert.Equal(2, reads.Count);
        Assert.DoesNotContain("lastEventID", reads.First(), StringComparison.Ordinal);
        Match resumed = ResumedFrom().Match(reads.Last());
        Assert.True(resumed.Success, reads.Last());
        Assert.Equal(id, resumed.Groups["stream"].Value);
        Assert.InRange(int.Parse(resumed.Groups["n"].Value, CultureInfo.InvariantCulture), 2, FakeAnswer.Tokenize(expected).Count);

        // Once it is done, a reload shows the stored answer without reading the stream again.
        await page.ReloadAsync();
        await WaitForStatusAsync(page, "done");
        Assert.Equal(expected, await AnswerAsync(page));
        Assert.Equal(2, reads.Count);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_second_tab_on_the_same_address_joins_the_answer_from_its_start_and_ends_with_the_same_text()
    {
        await using DemoHost host = await DemoHost.StartAsync(tokensPerSecond: 20);
        const string prompt = "Can a second tab follow this answer?";
        (IPage first, string id, _) = await AskAsync(host, prompt);

        IPage second = await first.Context.NewPageAsync();
        second.SetDefaultTimeout((float)Bounded.DefaultWait.TotalMilliseconds);
        ConcurrentQueue<string> reads = RecordStreamReads(second);
        await second.GotoAsync(first.Url);

        // It joins while the answer is still streaming, with what was said so far.
        await second.WaitForFunctionAsync(
            "() => document.getElementById('status').dataset.status === 'active' && document.getElementById('answer').textContent.length > 0");
        Assert.Equal(prompt, await second.Locator("#question").TextContentAsync());
        await WaitForStatusAsync(first, "done");
        await WaitForStatusAsync(second, "done");

        string expected = FakeAnswer.Compose(prompt);
        Assert.Equal(expected, await AnswerAsync(first));
        Assert.Equal(expected, await AnswerAsync(second));
        Assert.Equal([$"{host.BaseAddress}.well-known/herald/streams/{id}"], reads);
        await first.Context.CloseAsync();
    }

    [Fact]
    public async Task Stop_cancels_the_answer_and_the_generator_and_the_text_ends_where_the_stream_ended()
    {
        await using DemoHost host = await DemoHost.StartAsync(tokensPerSecond: 10);
        (IPage page, string id, _) = await AskAsync(host, "Please stop halfway.");
        ChatGeneration generation = host.Generator.FindRunning(id) ?? throw new InvalidOperationException("The generator is not running.");

        await page.ClickAsync("#stop");
        await WaitForStatusAsync(page, "cancelled");

        // The generator saw the cancel and stopped before the end of the answer.
        GenerationResult result = await generation.Completion.WaitAsync(Bounded.DefaultWait);
        Assert.Equal(GenerationOutcome.Cancelled, result.Outcome);
        Assert.True(result.TokensWritten < generation.Tokens.Count, $"{result.TokensWritten} of {generation.Tokens.Count} tokens written");

        // With the generator stopped nothing more can come: the page shows exactly what the
        // stream holds, which is the answer up to the token where the stream was cancelled.
        HeraldStreamTranscript recorded = await host.ReadStreamAsync(id);
        Assert.Equal("cancelled", recorded.Status);
        Assert.Equal("stopped from the page", recorded.Reason);
        int tokensStored = (int)recorded.Tokens - 1; // the first event is the prompt
        Assert.InRange(tokensStored, 1, result.TokensWritten);
        Assert.Equal(string.Concat(generation.Tokens.Take(tokensStored)), recorded.Text);
        Assert.Equal(recorded.Text, await AnswerAsync(page));
        Assert.Contains("stopped from the page", await page.Locator("#status").TextContentAsync(), StringComparison.Ordinal);
        Assert.True(await page.Locator("#stop").IsDisabledAsync());
        Assert.True(await page.Locator("#send").IsEnabledAsync());
        Assert.True(await page.Locator("#error").IsHiddenAsync());
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// Opens the page in a fresh context, types the prompt and presses Send, then waits until part
    /// of the answer shows while it is still streaming (the tests act mid-answer).
    /// </summary>
    /// <returns>The page, the stream id from its address, and the stream reads it makes.</returns>
    private async Task<(IPage Page, string StreamId, ConcurrentQueue<string> Reads)> AskAsync(DemoHost host, string prompt)
    {
        IPage page = await chromium.NewPageAsync();
        ConcurrentQueue<string> reads = RecordStreamReads(page);
        await page.GotoAsync(host.BaseAddress.ToString());
        await page.FillAsync("#prompt", prompt);
        await page.ClickAsync("#send");
        // Not WaitForURLAsync: a hash change is a same-document navigation, and it waits for a load event that never comes.
        await page.WaitForFunctionAsync("() => location.hash.startsWith('#stream=')");
        await page.WaitForFunctionAsync("() => document.getElementById('answer').textContent.length >= 30");
        Assert.Equal("active", await page.Locator("#status").GetAttributeAsync("data-status"));
        return (page, StreamAddress().Match(page.Url).Groups["stream"].Value, reads);
    }

    /// <summary>Every stream read (EventSource request) the page makes, in order.</summary>
    private static ConcurrentQueue<string> RecordStreamReads(IPage page)
    {
        var reads = new ConcurrentQueue<string>();
        page.Request += (_, request) =>
        {
            if (request.Method == "GET" && request.Url.Contains("/.well-known/herald/streams/", StringComparison.Ordinal))
            {
                reads.Enqueue(request.Url);
            }
        };
        return reads;
    }

    private static async Task WaitForStatusAsync(IPage page, string status) =>
        await page.WaitForFunctionAsync("s => document.getElementById('status').dataset.status === s", status, new() { Timeout = AnswerWait });

    private static async Task<string> AnswerAsync(IPage page) => await page.Locator("#answer").TextContentAsync() ?? string.Empty;

    [GeneratedRegex("#stream=(?<stream>[0-9a-f-]{36})$")]
    private static partial Regex StreamAddress();

    [GeneratedRegex(@"\?lastEventID=(?<stream>[0-9a-f-]{36})%3A(?<n>\d+)$")]
    private static partial Regex ResumedFrom();
}
