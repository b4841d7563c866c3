using System.Collections.Concurrent;
using System.Net;
using Herald.Sse;
using Herald.Testing;
using Microsoft.Data.Sqlite;

namespace Herald.Server.Tests.Commands;

/// <summary>
/// <c>herald serve</c> on its default store, SQLite in <c>--data-dir</c>, as a real process:
/// killed with SIGKILL in the middle of a publishing run, then restarted on the same directory.
/// </summary>
public sealed class ServeDurabilityTests
{
    private const int Publishers = 4;
    private const int EventsPerPublisher = 1_250;
    private const string Marker = "marker-after-restart";

    [Fact]
    public async Task Every_acknowledged_event_survives_kill_9_in_order_exactly_once_and_resume_works_across_the_restart()
    {
        using var data = new TempDirectory();
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { Timeout = Bounded.DefaultWait };
        var acknowledged = new ConcurrentBag<string>();
        string seenBeforeCrash;

        await using (HeraldProcess first = Serve(data.Path))
        {
            string hubUrl = await first.WaitForHubUrlAsync();
            await using SseTestClient subscriber = await SseTestClient.ConnectAsync(client, hubUrl + "?topic=*", token: TestTokens.Subscriber(["*"]));
            var halfway = new TaskCompletionSource();
            Task[] publishers = [.. Enumerable.Range(0, Publishers).Select(p => Task.Run(async () =>
            {
                for (int i = 0; i < EventsPerPublisher; i++)
                {
                    try
                    {
                        acknowledged.Add(await PublishAsync(client, hubUrl, $"https://example.com/p/{p}", $"{p}-{i}"));
                    }
                    catch (HttpRequestException)
                    {
                        return; // The hub is gone: what was acknowledged so far is what counts.
                    }

                    if (acknowledged.Count >= Publishers * EventsPerPublisher / 3)
                    {
                        halfway.TrySetResult();
                    }
                }
            }))];

            await halfway.Task.WaitAsync(TimeSpan.FromSeconds(60));
            seenBeforeCrash = (await subscriber.NextEventAsync()).LastEventId;
            await first.KillAsync();
            await Task.WhenAll(publishers).WaitAsync(Bounded.DefaultWait);
        }

        Assert.InRange(acknowledged.Count, Publishers * EventsPerPublisher / 3, Publishers * EventsPerPublisher - 1);

        await using HeraldProcess second = Serve(data.Path);
        string restartedUrl = await second.WaitForHubUrlAsync();
        await PublishAsync(client, restartedUrl, "https://example.com/marker", "end", Marker);

        List<string> history = await ReadUntilMarkerAsync(client, restartedUrl, lastEventId: "earliest");
        List<string> resumed = await ReadUntilMarkerAsync(client, restartedUrl, lastEventId: seenBeforeCrash);

        // Exactly once: no id twice. In order: the hub's ids sort in log order, and each
        // publisher's acknowledged ids are in the order it published them.
        Assert.Equal(history.Count, history.Distinct().Count());
        Assert.Equal(history.Order(StringComparer.Ordinal), history);
        Assert.Empty(acknowledged.Except(history));
        Assert.Equal(history.SkipWhile(id => id != seenBeforeCrash).Skip(1), resumed);
    }

    [Fact]
    public async Task A_database_locked_by_another_process_stops_the_start_with_a_clear_error()
    {
        using var data = new TempDirectory();
        string database = await CreateStoreAsync(data.Path);
        await using var holder = new SqliteConnection($"Data Source={database};Pooling=False");
        await holder.OpenAsync();
        await using (SqliteCommand exclusive = holder.CreateCommand())
        {
            exclusive.CommandText = "BEGIN EXCLUSIVE";
            await exclusive.ExecuteNonQueryAsync();
        }

        await using HeraldProcess locked = Serve(data.Path);
        Assert.NotEqual(0, await locked.WaitForExitAsync());
        Assert.Contains("locked", locked.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("hub listening on", locked.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_database_stops_the_start_and_is_left_as_it_was()
    {
        using var data = new TempDirectory();
        string database = await CreateStoreAsync(data.Path);
        byte[] garbage = [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 31))];
        await File.WriteAllBytesAsync(database, garbage);

        await using HeraldProcess corrupt = Serve(data.Path);
        Assert.NotEqual(0, await corrupt.WaitForExitAsync());
        Assert.Contains(database, corrupt.Output, StringComparison.Ordinal);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(database));
    }

    /// <summary>Lets a hub create its store in <paramref name="dataDirectory"/>, stops it the way a
    /// service manager does, and returns the database file.</summary>
    private static async Task<string> CreateStoreAsync(string dataDirectory)
    {
        await using (HeraldProcess creator = Serve(dataDirectory))
        {
            await creator.WaitForHubUrlAsync();
            Assert.Equal(0, await creator.StopAsync());
        }

        // A clean stop checkpoints the write-ahead log into the database and removes it.
        Assert.False(File.Exists(Path.Combine(dataDirectory, "herald.db-wal")));
        return Path.Combine(dataDirectory, "herald.db");
    }

    private static HeraldProcess Serve(string dataDirectory) =>
        HeraldProcess.Start("serve", "--port", "0", "--publisher-key", TestTokens.PublisherKey, "--subscriber-key", TestTokens.SubscriberKey, "--data-dir", dataDirectory);

    private static async Task<string> PublishAsync(HttpClient client, string hubUrl, string topic, string data, string? id = null)
    {
        var form = new List<KeyValuePair<string, string>> { new("topic", topic), new("data", data) };
        if (id is not null)
        {
            form.Add(new("id", id));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, hubUrl) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new("Bearer", TestTokens.Publisher("*"));
        using HttpResponseMessage response = await client.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"publish answered {(int)response.StatusCode}");
        }

        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The ids replayed after <paramref name="lastEventId"/>, up to the marker published after the restart.</summary>
    private static async Task<List<string>> ReadUntilMarkerAsync(HttpClient client, string hubUrl, string lastEventId)
    {
        await using SseTestClient subscriber = await SseTestClient.ConnectAsync(client, hubUrl + "?topic=*", lastEventId, TestTokens.Subscriber(["*"]));
        var ids = new List<string>();
        while (true)
        {
            SseItem item = await subscriber.NextEventAsync();
            if (item.LastEventId == Marker)
            {
                return ids;
            }

            ids.Add(item.LastEventId);
        }
    }
}
