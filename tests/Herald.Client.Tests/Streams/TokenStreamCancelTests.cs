using Herald.Client.Publishing;
using Herald.Client.Streams;

namespace Herald.Client.Tests.Streams;

/// <summary>Stopping a stream from another client, against a real hub.</summary>
public sealed class TokenStreamCancelTests
{
    [Fact]
    public async Task A_cancel_from_another_client_fires_Cancelled_drops_later_writes_and_CompleteAsync_reports_cancelled()
    {
        await using StreamHub hub = await StreamHub.StartAsync();
        string id = StreamHub.NewId("cancel");
        using CancellationTokenSource bound = Bounded.Wait();
        await using TokenStreamWriter writer = await hub.Producer.OpenAsync(id, cancellationToken: bound.Token);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration registration = writer.Cancelled.Register(cancelled.SetResult);
        await writer.WriteAsync("before ", bound.Token);
        Assert.False(writer.Cancelled.IsCancellationRequested);

        // A write returns once it is on its way: a reader seeing the token is what shows the hub has it.
        await using IAsyncEnumerator<TokenStreamItem> reading = hub.Reader.ReadAsync(id, cancellationToken: bound.Token).GetAsyncEnumerator(bound.Token);
        var items = new List<TokenStreamItem>();
        while (StreamHub.Text(items) != "before ")
        {
            Assert.True(await reading.MoveNextAsync(), "The read ended before the first token.");
            items.Add(reading.Current);
        }

        // Anonymous: the hub allows anonymous readers and the stream is public.
        TokenStreamCancelResult result = await hub.Reader.CancelAsync(id, "the user pressed stop", bound.Token);

        Assert.Equal((TokenStreamCancelOutcome.Cancelled, (TokenStreamStatus?)TokenStreamStatus.Cancelled), (result.Outcome, result.Status));
        await cancelled.Task.WaitAsync(bound.Token);
        Assert.Equal("the user pressed stop", writer.CancelReason);

        // The producer may still be mid-generation: its writes are dropped, not thrown.
        await writer.WriteAsync("after", bound.Token);
        await writer.WriteEventAsync("tool", "{}", bound.Token);
        TokenStreamSummary summary = await writer.CompleteAsync(bound.Token);

        Assert.Equal((TokenStreamStatus.Cancelled, 1L, "the user pressed stop"), (summary.Status, summary.Tokens, summary.Reason));
        while (await reading.MoveNextAsync())
        {
            items.Add(reading.Current);
        }

        Assert.False(bound.IsCancellationRequested, "Timed out reading.");
        Assert.Equal("before ", StreamHub.Text(items));
        Assert.DoesNotContain(items, item => item.Type == "tool");
        Assert.Equal((TokenStreamStatus?)TokenStreamStatus.Cancelled, items[^1].Status);
        Assert.Equal("the user pressed stop", items[^1].Reason);
    }

    [Fact]
    public async Task Cancelling_a_finished_stream_says_how_it_finished_and_an_unknown_one_is_not_found()
    {
        await using StreamHub hub = await StreamHub.StartAsync();
        string id = StreamHub.NewId("finished");
        using CancellationTokenSource bound = Bounded.Wait();
        await hub.ProduceAsync(id, ["all of it"]);

        TokenStreamCancelResult finished = await hub.Producer.CancelAsync(id, cancellationToken: bound.Token);
        TokenStreamCancelResult unknown = await hub.Producer.CancelAsync(StreamHub.NewId("never-opened"), cancellationToken: bound.Token);

        Assert.Equal((TokenStreamCancelOutcome.AlreadyFinished, (TokenStreamStatus?)TokenStreamStatus.Done), (finished.Outcome, finished.Status));
        Assert.Equal((TokenStreamCancelOutcome.NotFound, (TokenStreamStatus?)null), (unknown.Outcome, unknown.Status));
    }

    [Fact]
    public async Task Cancelling_twice_finds_the_stream_already_cancelled()
    {
        await using StreamHub hub = await StreamHub.StartAsync();
        string id = StreamHub.NewId("twice");
        using CancellationTokenSource bound = Bounded.Wait();
        await using TokenStreamWriter writer = await hub.Producer.OpenAsync(id, cancellationToken: bound.Token);

        TokenStreamCancelResult first = await hub.Reader.CancelAsync(id, cancellationToken: bound.Token);
        TokenStreamCancelResult second = await hub.Reader.CancelAsync(id, cancellationToken: bound.Token);

        Assert.Equal(TokenStreamCancelOutcome.Cancelled, first.Outcome);
        Assert.Equal((TokenStreamCancelOutcome.AlreadyFinished, (TokenStreamStatus?)TokenStreamStatus.Cancelled), (second.Outcome, second.Status));
        TokenStreamSummary summary = await writer.CompleteAsync(bound.Token);
        Assert.Equal(TokenStreamStatus.Cancelled, summary.Status);
        Assert.True(writer.Cancelled.IsCancellationRequested);
    }

    [Fact]
    public async Task A_cancel_without_a_token_or_with_one_for_another_topic_is_refused_with_typed_exceptions()
    {
        // Without anonymous readers, a cancel needs a token that may read or produce the stream.
        await using StreamHub hub = await StreamHub.StartAsync(options => options.AllowAnonymous = false);
        string id = StreamHub.NewId("guarded");
        using CancellationTokenSource bound = Bounded.Wait();
        await using TokenStreamWriter writer = await hub.Producer.OpenAsync(id, cancellationToken: bound.Token);
        using TokenStreamClient anonymous = hub.Client(token: null);
        using TokenStreamClient elsewhere = hub.Client(TestTokens.Subscriber(["https://example.com/books/{id}"]));

        await Assert.ThrowsAsync<HubUnauthorizedException>(() => anonymous.CancelAsync(id, cancellationToken: bound.Token));
        await Assert.ThrowsAsync<HubForbiddenException>(() => elsewhere.CancelAsync(id, cancellationToken: bound.Token));

        Assert.False(writer.Cancelled.IsCancellationRequested);
        await writer.WriteAsync("unharmed", bound.Token);
        Assert.Equal(TokenStreamStatus.Done, (await writer.CompleteAsync(bound.Token)).Status);
    }
}
