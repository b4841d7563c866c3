using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Herald.Hub.Streams;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.ChatDemo.Tests;

/// <summary>POST /api/chat over plain HTTP: what starts an answer, what is refused, and what
/// the answer's stream holds.</summary>
public sealed class ChatEndpointsTests
{
    [Fact]
    public async Task A_prompt_starts_a_private_stream_holding_the_prompt_then_the_fake_answer_then_done()
    {
        await using DemoHost host = await DemoHost.StartAsync(tokensPerSecond: 0);
        const string prompt = "How does a reader resume a token stream?";

        using HttpResponseMessage response = await host.PostChatAsync(JsonContent.Create(new { prompt }));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        ChatStarted? started = await response.Content.ReadFromJsonAsync<ChatStarted>();
        Assert.NotNull(started);
        Assert.True(Guid.TryParse(started.StreamId, out _), started.StreamId);
        Assert.Equal($"/.well-known/herald/streams/{started.StreamId}", started.Url);
        Assert.Equal(started.Url, response.Headers.Location?.OriginalString);

        HeraldStreamTranscript reading = await host.ReadStreamAsync(started.StreamId);
        List<string> tokens = FakeAnswer.Tokenize(FakeAnswer.Compose(prompt));
        Assert.Equal([(ChatGenerator.PromptEventType, prompt)], reading.Events);
        Assert.Equal(FakeAnswer.Compose(prompt), reading.Text);
        Assert.Equal("done", reading.Status);
        Assert.Equal(tokens.Count + 1, reading.Tokens); // the prompt event, then the tokens
        Assert.True(host.Services.GetRequiredService<TokenStreams>().TryGet(started.StreamId, out TokenStreamProducer? stream));
        Assert.True(stream!.IsPrivate);
    }

    [Fact]
    public async Task The_prompt_event_carries_the_cleaned_prompt()
    {
        await using DemoHost host = await DemoHost.StartAsync(tokensPerSecond: 0);
        string id = await host.StartChatAsync("  first line\r\nsecond\u0007 line  ");

        HeraldStreamTranscript reading = await host.ReadStreamAsync(id);

        Assert.Equal([(ChatGenerator.PromptEventType, "first line\nsecond line")], reading.Events);
        Assert.StartsWith("You asked: \u201Cfirst line second line\u201D.", reading.Text, StringComparison.Ordinal);
    }

    public static TheoryData<string> BadPrompts() => new()
    {
        """{"prompt":""}""",
        """{"prompt":" \n\t "}""",
        """{"prompt":null}""",
        """{}""",
        """null""",
        "{\"prompt\":\"" + new string('x', 2_001) + "\"}",
    };

    [Theory]
    [MemberData(nameof(BadPrompts))]
    public async Task A_missing_empty_or_too_long_prompt_is_a_400_with_a_reason_and_starts_nothing(string body)
    {
        await using DemoHost host = await DemoHost.StartAsync(tokensPerSecond: 0);

        using HttpResponseMessage response = await host.PostChatAsync(new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using JsonDocument problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
        Assert.Equal(0, host.Services.GetRequiredService<TokenStreams>().ActiveCount);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused()
    {
        await using DemoHost host = await DemoHost.StartAsync(tokensPerSecond: 0);

        using HttpResponseMessage broken = await host.PostChatAsync(new StringContent("{\"prompt\":", Encoding.UTF8, "application/json"));
        using HttpResponseMessage form = await host.PostChatAsync(new FormUrlEncodedContent([new("prompt", "hello")]));

        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        // A cross-site form cannot start answers: it cannot send JSON without a preflight.
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        Assert.Equal(0, host.Services.GetRequiredService<TokenStreams>().ActiveCount);
    }

    [Fact]
    public async Task At_the_hubs_limit_of_active_streams_a_prompt_gets_503_with_retry_after()
    {
        await using DemoHost host = await DemoHost.StartAsync(tokensPerSecond: 1, "--Herald:MaxActiveStreams=1");
        await host.StartChatAsync("the first one is still generating");

        using HttpResponseMessage response = await host.PostChatAsync(JsonContent.Create(new { prompt = "one too many" }));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Stopping_the_app_stops_the_generators_and_ends_their_streams_as_errors()
    {
        DemoHost host = await DemoHost.StartAsync(tokensPerSecond: 1);
        ChatGeneration? generation;
        TokenStreamProducer stream;
        try
        {
            string id = await host.StartChatAsync("a slow answer");
            generation = host.Generator.FindRunning(id);
            stream = GetStream(host, id);
        }
        finally
        {
            await host.DisposeAsync();
        }

        Assert.NotNull(generation);

        GenerationResult result = await generation.Completion.WaitAsync(Bounded.DefaultWait);
        Assert.Equal(GenerationOutcome.Stopped, result.Outcome);
        Assert.True(result.TokensWritten < generation.Tokens.Count);
        Assert.Equal(TokenStreamStatus.Error, stream.Status);
    }

    private static TokenStreamProducer GetStream(DemoHost host, string id) =>
        host.Services.GetRequiredService<TokenStreams>().TryGet(id, out TokenStreamProducer? stream) ? stream! : throw new InvalidOperationException($"No stream {id}.");
}
