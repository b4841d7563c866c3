using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Herald.Server.Bench;

/// <summary>
/// A worker process of <c>herald bench</c> (<c>herald bench worker</c>, started by the
/// coordinator): it holds its share of the subscribers, reports on its standard output when they
/// are connected and when they have every event, and gives its tally when its standard input says
/// <c>stop</c> or closes. Several of them carry a run past one process's descriptor cap.
/// </summary>
internal static class BenchWorker
{
    public static async Task<int> RunAsync(TextReader input, TextWriter output)
    {
        string? line = await input.ReadLineAsync().ConfigureAwait(false);
        WorkerAssignment assignment = JsonSerializer.Deserialize(line ?? "null", BenchJsonContext.Default.WorkerAssignment)
            ?? throw new InvalidDataException("bench worker: no assignment on standard input.");
        BenchSettings settings = assignment.Settings;

        using var stop = new CancellationTokenSource();
        var stats = new ThreadLocal<ReceiveStats>(() => new ReceiveStats(), trackAllValues: true);
        int complete = 0;
        int connected = 0;
        var completedAll = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Completed()
        {
            if (Interlocked.Increment(ref complete) == Volatile.Read(ref connected))
            {
                completedAll.TrySetResult();
            }
        }

        var errors = new Dictionary<string, int>();
        void Refused(string reason)
        {
            lock (errors)
            {
                errors[reason] = errors.GetValueOrDefault(reason) + 1;
            }
        }

        var open = new List<BenchSubscriber>(assignment.SubscriberCount);
        void Opened(BenchSubscriber subscriber)
        {
            lock (errors)
            {
                connected++;
                open.Add(subscriber);
            }
        }

        using HttpClient? http2 = settings.Http == "2" ? CreateHttp2Client() : null;
        Http1ReceiveLoop? loop = null;
        var receiving = new List<Task>();
        if (http2 is null)
        {
            loop = await ConnectHttp1Async(assignment, stats, Completed, Opened, Refused).ConfigureAwait(false);
        }
        else
        {
            receiving = await ConnectHttp2Async(assignment, http2, stats, Completed, Opened, Refused, stop.Token).ConfigureAwait(false);
        }

        TimeSpan cpuAtConnected = Process.GetCurrentProcess().TotalProcessorTime;
        await WriteAsync(output, new WorkerReport { Kind = "connected", Connected = connected, Failed = assignment.SubscriberCount - connected, Errors = errors }).ConfigureAwait(false);
        if (connected == 0 || Volatile.Read(ref complete) == connected)
        {
            completedAll.TrySetResult();
        }

        // Console.In reads synchronously even through ReadLineAsync, so it waits on a thread of its own.
        Task stopRequested = Task.Run(() => WaitForStopAsync(input));
        if (await Task.WhenAny(completedAll.Task, stopRequested).ConfigureAwait(false) == completedAll.Task)
        {
            await WriteAsync(output, new WorkerReport { Kind = "complete", Connected = connected }).ConfigureAwait(false);
            await stopRequested.ConfigureAwait(false);
        }

        loop?.Dispose();
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(receiving).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        await WriteAsync(output, Tally(open, assignment.SubscriberCount, stats, errors, Process.GetCurrentProcess().TotalProcessorTime - cpuAtConnected)).ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// Connects the HTTP/1.1 subscribers from a few threads at a time (each connection polls its
    /// socket, bounded by the connect timeout) and hands each open one to the receive loop.
    /// </summary>
    private static async Task<Http1ReceiveLoop> ConnectHttp1Async(WorkerAssignment assignment, ThreadLocal<ReceiveStats> stats, Action completed, Action<BenchSubscriber> opened, Action<string> refused)
    {
        BenchSettings settings = assignment.Settings;
        IPEndPoint server = await ResolveAsync(new Uri(BenchSettings.Fill(settings.SubscribeUrl, "x"))).ConfigureAwait(false);
        IPAddress? source = assignment.SourceAddress is null ? null : IPAddress.Parse(assignment.SourceAddress);
        var subscribers = new Http1Subscriber[assignment.SubscriberCount];
        for (int i = 0; i < subscribers.Length; i++)
        {
            var url = new Uri(BenchSettings.Fill(settings.SubscribeUrl, settings.Topic(assignment.FirstSubscriber + i)));
            subscribers[i] = new Http1Subscriber(url, server, source, settings.SubscriberToken, settings.Events, stats, completed);
        }

        var loop = new Http1ReceiveLoop(subscribers, settings.ReceiveBufferBytes);
        long deadline = Stopwatch.GetTimestamp() + (long)(settings.ConnectTimeoutSeconds * Stopwatch.Frequency);
        int next = -1;
        void Connector()
        {
            byte[] buffer = new byte[settings.ReceiveBufferBytes];
            for (int i = Interlocked.Increment(ref next); i < subscribers.Length; i = Interlocked.Increment(ref next))
            {
                if (subscribers[i].Connect(deadline, buffer) is { } refusal)
                {
                    refused(refusal);
                    continue;
                }

                opened(subscribers[i]);
                loop.Add(i);
            }
        }

        Thread[] connectors = [.. Enumerable.Range(0, Math.Min(settings.ConnectConcurrency, Math.Max(1, subscribers.Length))).Select(_ => new Thread(Connector) { IsBackground = true })];
        foreach (Thread connector in connectors)
        {
            connector.Start();
        }

        await Task.Run(() => Array.ForEach(connectors, connector => connector.Join())).ConfigureAwait(false);
        return loop;
    }

    /// <summary>Opens the HTTP/2 streams, a bounded number at a time, and starts reading each.</summary>
    private static async Task<List<Task>> ConnectHttp2Async(WorkerAssignment assignment, HttpClient client, ThreadLocal<ReceiveStats> stats, Action completed, Action<BenchSubscriber> opened, Action<string> refused, CancellationToken stop)
    {
        BenchSettings settings = assignment.Settings;
        var receiving = new List<Task>(assignment.SubscriberCount);
        using var slots = new SemaphoreSlim(settings.ConnectConcurrency);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(settings.ConnectTimeoutSeconds));
        var attempts = new List<Task>(assignment.SubscriberCount);
        for (int i = 0; i < assignment.SubscriberCount; i++)
        {
            var url = new Uri(BenchSettings.Fill(settings.SubscribeUrl, settings.Topic(assignment.FirstSubscriber + i)));
            var subscriber = new Http2Subscriber(client, url, settings.SubscriberToken, settings.ReceiveBufferBytes, settings.Events, stats, completed);
            try
            {
                await slots.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                refused("connect timed out");
                continue;
            }

            attempts.Add(OpenAsync(subscriber));
        }

        await Task.WhenAll(attempts).ConfigureAwait(false);
        return receiving;

        async Task OpenAsync(Http2Subscriber subscriber)
        {
            string? refusal;
            try
            {
                refusal = await subscriber.ConnectAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                refusal = "connect timed out";
            }
            finally
            {
                slots.Release();
            }

            if (refusal is not null)
            {
                refused(refusal);
                subscriber.Dispose();
                return;
            }

            opened(subscriber);
            lock (receiving)
            {
                receiving.Add(subscriber.ReceiveAsync(stop));
            }
        }
    }

    /// <summary>The worker's result. Loss is counted over the subscribers that connected; the others are failed connections.</summary>
    private static WorkerReport Tally(List<BenchSubscriber> open, int assigned, ThreadLocal<ReceiveStats> stats, Dictionary<string, int> errors, TimeSpan cpu)
    {
        long delivered = 0, duplicates = 0, reordered = 0, unexpected = 0, lost = 0;
        int endedEarly = 0;
        foreach (BenchSubscriber subscriber in open)
        {
            DeliveryTracker tracker = subscriber.Tracker;
            delivered += tracker.Distinct;
            duplicates += tracker.Duplicates;
            reordered += tracker.Reordered;
            unexpected += tracker.Unexpected;
            lost += tracker.Expected - tracker.Distinct;
            endedEarly += subscriber.EndedEarly ? 1 : 0;
        }

        var latency = new LatencyHistogram();
        long lastReceived = 0;
        foreach (ReceiveStats thread in stats.Values)
        {
            latency.Add(thread.Latency);
            lastReceived = Math.Max(lastReceived, thread.LastReceived);
        }

        return new WorkerReport
        {
            Kind = "result",
            Connected = open.Count,
            Failed = assigned - open.Count,
            Errors = errors,
            Delivered = delivered,
            Duplicates = duplicates,
            Reordered = reordered,
            Unexpected = unexpected,
            Lost = lost,
            EndedEarly = endedEarly,
            Latency = latency.ToSparse(),
            LatencyMax = latency.Max,
            LastReceived = lastReceived,
            CpuSeconds = cpu.TotalSeconds,
        };
    }

    private static async Task WaitForStopAsync(TextReader input)
    {
        while (await input.ReadLineAsync().ConfigureAwait(false) is { } command)
        {
            if (command == "stop")
            {
                return;
            }
        }
    }

    private static async Task WriteAsync(TextWriter output, WorkerReport report)
    {
        await output.WriteLineAsync(JsonSerializer.Serialize(report, BenchJsonContext.Default.WorkerReport)).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }

    private static async Task<IPEndPoint> ResolveAsync(Uri url)
    {
        IPAddress address = IPAddress.TryParse(url.IdnHost, out IPAddress? literal)
            ? literal
            : (await Dns.GetHostAddressesAsync(url.IdnHost).ConfigureAwait(false)).First(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6);
        return new IPEndPoint(address, url.Port);
    }

    private static HttpClient CreateHttp2Client() => new(new SocketsHttpHandler
    {
        // A connection carries as many streams as the server allows; more connections open as needed.
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };
}
