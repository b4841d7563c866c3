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

        ReceiveLoop loop = settings.Http == "2"
            ? await ConnectHttp2Async(assignment, stats, Completed, Opened, Refused).ConfigureAwait(false)
            : await ConnectHttp1Async(assignment, stats, Completed, Opened, Refused).ConfigureAwait(false);

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

        loop.Dispose();
        await WriteAsync(output, Tally(open, assignment.SubscriberCount, stats, errors, Process.GetCurrentProcess().TotalProcessorTime - cpuAtConnected)).ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// Connects the HTTP/1.1 subscribers from a few threads at a time (each connection polls its
    /// socket, bounded by the connect timeout) and hands each open one to the receive loop.
    /// </summary>
    private static async Task<ReceiveLoop> ConnectHttp1Async(WorkerAssignment assignment, ThreadLocal<ReceiveStats> stats, Action completed, Action<BenchSubscriber> opened, Action<string> refused)
    {
        BenchSettings settings = assignment.Settings;

        // One endpoint per subscribe URL (a cluster's nodes), resolved once.
        IPEndPoint[] servers = await Task.WhenAll(settings.SubscribeUrls.Select(url => ResolveAsync(new Uri(BenchSettings.Fill(url, "x"))))).ConfigureAwait(false);
        IPAddress? source = assignment.SourceAddress is null ? null : IPAddress.Parse(assignment.SourceAddress);
        var loop = new ReceiveLoop(assignment.SubscriberCount, settings.ReceiveBufferBytes);
        int next = -1;
        await RunConnectorsAsync(settings, assignment.SubscriberCount, deadline =>
        {
            byte[] buffer = new byte[settings.ReceiveBufferBytes];
            for (int i = Interlocked.Increment(ref next); i < assignment.SubscriberCount; i = Interlocked.Increment(ref next))
            {
                int index = assignment.FirstSubscriber + i;
                var url = new Uri(BenchSettings.Fill(settings.SubscribeUrl(index), settings.Topic(index)));
                var subscriber = new Http1Subscriber(url, servers[index % servers.Length], source, settings.SubscriberToken, settings.Events, stats, completed);
                if (subscriber.Connect(deadline, buffer) is { } refusal)
                {
                    subscriber.Dispose();
                    refused(refusal);
                    continue;
                }

                opened(subscriber);
                loop.Add(subscriber);
            }
        }).ConfigureAwait(false);
        return loop;
    }

    /// <summary>
    /// Opens the HTTP/2 connections from a few threads at a time, each with as many streams as the
    /// server allows per connection, and waits (within the connect timeout) until every stream
    /// has its answer. One server only: a connection's streams all go to one server, so
    /// <c>herald bench</c> refuses several subscribe URLs with HTTP/2.
    /// </summary>
    private static async Task<ReceiveLoop> ConnectHttp2Async(WorkerAssignment assignment, ThreadLocal<ReceiveStats> stats, Action completed, Action<BenchSubscriber> opened, Action<string> refused)
    {
        BenchSettings settings = assignment.Settings;
        var firstUrl = new Uri(BenchSettings.Fill(settings.SubscribeUrls[0], "x"));
        IPEndPoint server = await ResolveAsync(firstUrl).ConfigureAwait(false);
        var loop = new ReceiveLoop(assignment.SubscriberCount, settings.ReceiveBufferBytes);
        int answered = 0;
        var allAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Answered(Http2Subscriber stream)
        {
            if (stream.Refusal is { } refusal)
            {
                refused(refusal);
            }
            else
            {
                opened(stream);
            }

            if (Interlocked.Increment(ref answered) == assignment.SubscriberCount)
            {
                allAnswered.TrySetResult();
            }
        }

        int next = 0;
        await RunConnectorsAsync(settings, assignment.SubscriberCount, deadline =>
        {
            byte[] buffer = new byte[settings.ReceiveBufferBytes];
            while (Volatile.Read(ref next) < assignment.SubscriberCount)
            {
                (Http2Connection? connection, string? failure) = Http2Connection.Connect(server, null, deadline, buffer, Answered);
                if (connection is null)
                {
                    // Without a connection no stream can open: what is left is refused for this reason.
                    for (int i = Interlocked.Exchange(ref next, assignment.SubscriberCount); i < assignment.SubscriberCount; i++)
                    {
                        refused(failure!);
                        if (Interlocked.Increment(ref answered) == assignment.SubscriberCount)
                        {
                            allAnswered.TrySetResult();
                        }
                    }

                    return;
                }

                int first = Interlocked.Add(ref next, connection.MaxStreams) - connection.MaxStreams;
                int count = Math.Max(0, Math.Min(connection.MaxStreams, assignment.SubscriberCount - first));
                if (count == 0)
                {
                    connection.Dispose();
                    return;
                }

                Http2Subscriber[] streams = [.. Enumerable.Range(first, count).Select(i =>
                    new Http2Subscriber(new Uri(BenchSettings.Fill(settings.SubscribeUrls[0], settings.Topic(assignment.FirstSubscriber + i))).PathAndQuery, settings.Events, stats, completed))];
                if (connection.Open(streams, firstUrl.Authority, settings.SubscriberToken, deadline) is { } sendFailure)
                {
                    connection.Dispose();
                    foreach (Http2Subscriber stream in streams)
                    {
                        stream.Answer(sendFailure);
                        Answered(stream);
                    }

                    continue;
                }

                loop.Add(connection);
            }
        }).ConfigureAwait(false);

        await Task.WhenAny(allAnswered.Task, Task.Delay(TimeSpan.FromSeconds(settings.ConnectTimeoutSeconds))).ConfigureAwait(false);
        return loop;
    }

    /// <summary>Runs <paramref name="connector"/> on up to --connect-batch threads at once, each given the connect deadline, and waits for them.</summary>
    private static Task RunConnectorsAsync(BenchSettings settings, int subscribers, Action<long> connector)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(settings.ConnectTimeoutSeconds * Stopwatch.Frequency);
        Thread[] threads = [.. Enumerable.Range(0, Math.Min(settings.ConnectConcurrency, Math.Max(1, subscribers))).Select(_ => new Thread(() => connector(deadline)) { IsBackground = true })];
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        return Task.Run(() => Array.ForEach(threads, thread => thread.Join()));
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
}
