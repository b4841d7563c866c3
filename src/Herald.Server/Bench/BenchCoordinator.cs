using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Herald.Server.Bench;

/// <summary>
/// Runs one benchmark: starts the worker processes and waits until their subscribers are
/// connected, lets them sit idle to read the server's memory, publishes, waits until every
/// subscriber has every event (or the drain deadline), then collects and adds up the workers'
/// tallies. Every phase has a deadline, and no worker outlives the run.
/// </summary>
internal sealed class BenchCoordinator
{
    private readonly BenchSettings _settings;
    private readonly TextWriter _log;

    public BenchCoordinator(BenchSettings settings, TextWriter log)
    {
        _settings = settings;
        _log = log;
    }

    public async Task<BenchResult> RunAsync(CancellationToken cancellationToken)
    {
        var meter = new ServerMeter(_settings.ServerPids);

        // The servers together, then (given several) each on its own: a cluster's nodes and its Redis.
        ServerReadings[] readings = meter.IsEnabled
            ? [new ServerReadings(meter), .. _settings.ServerPids.Count > 1 ? _settings.ServerPids.Select(pid => new ServerReadings(new ServerMeter([pid]), pid)) : []]
            : [];
        long runStart = Stopwatch.GetTimestamp();
        var workers = new List<Worker>();
        try
        {
            for (int i = 0; i < _settings.Workers; i++)
            {
                workers.Add(Worker.Start(i, Assignment(i), _log));
            }

            WorkerReport[] connected = await Task.WhenAll(workers.Select(w => w.NextAsync("connected"))).WaitAsync(TimeSpan.FromSeconds(_settings.ConnectTimeoutSeconds + 30), cancellationToken).ConfigureAwait(false);
            double connectSeconds = Stopwatch.GetElapsedTime(runStart).TotalSeconds;
            await _log.WriteLineAsync($"herald bench: {connected.Sum(r => r.Connected):N0} of {_settings.Subscribers:N0} subscribers connected in {connectSeconds:0.0} s; idle {_settings.IdleSeconds:0.#} s").ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(_settings.IdleSeconds), cancellationToken).ConfigureAwait(false);
            Array.ForEach(readings, r => r.Idle());

            Array.ForEach(readings, r => r.PublishStarts());
            TimeSpan ownCpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            long publishStart = Stopwatch.GetTimestamp();
            using var publisher = new BenchPublisher(_settings);
            await publisher.RunAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds((_settings.Events / _settings.Rate) + 60), cancellationToken).ConfigureAwait(false);
            double publishSeconds = Stopwatch.GetElapsedTime(publishStart).TotalSeconds;
            await _log.WriteLineAsync($"herald bench: {publisher.Sent:N0} published in {publishSeconds:0.0} s; draining").ConfigureAwait(false);

            // Every worker whose subscribers all connected reports "complete" once they have every event.
            Task allComplete = Task.WhenAll(workers.Select(w => w.NextAsync("complete")));
            bool completed = await Task.WhenAny(allComplete, Task.Delay(TimeSpan.FromSeconds(_settings.DrainSeconds), cancellationToken)).ConfigureAwait(false) == allComplete;
            Array.ForEach(readings, r => r.Drained());
            TimeSpan ownCpu = Process.GetCurrentProcess().TotalProcessorTime - ownCpuStart;

            foreach (Worker worker in workers)
            {
                await worker.StopAsync().ConfigureAwait(false);
            }

            WorkerReport[] results = await Task.WhenAll(workers.Select(w => w.NextAsync("result"))).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            return Combine(results, connectSeconds, publisher, publishStart, publishSeconds, completed, readings, ownCpu.TotalSeconds, Stopwatch.GetElapsedTime(runStart).TotalSeconds);
        }
        finally
        {
            foreach (Worker worker in workers)
            {
                await worker.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private BenchResult Combine(WorkerReport[] results, double connectSeconds, BenchPublisher publisher, long publishStart, double publishSeconds, bool completed, ServerReadings[] server, double ownCpuSeconds, double durationSeconds)
    {
        var latency = new LatencyHistogram();
        foreach (WorkerReport result in results)
        {
            latency.Add(LatencyHistogram.FromSparse(result.Latency, result.LatencyMax));
        }

        int connected = results.Sum(r => r.Connected);
        long delivered = results.Sum(r => r.Delivered);
        long lastReceived = results.Max(r => r.LastReceived);
        double deliverySeconds = lastReceived > publishStart ? (double)(lastReceived - publishStart) / Stopwatch.Frequency : 0;
        double loadCpu = ownCpuSeconds + results.Sum(r => r.CpuSeconds);
        return new BenchResult
        {
            Label = _settings.Label,
            Http = _settings.Http,
            Subscribers = _settings.Subscribers,
            Topics = _settings.Topics,
            EventsPerTopic = _settings.Events,
            RatePerTopic = _settings.Rate,
            PayloadBytes = _settings.PayloadBytes,
            PublishFormat = _settings.PublishFormat,
            Workers = _settings.Workers,
            Connected = connected,
            ConnectFailed = results.Sum(r => r.Failed),
            ConnectErrors = results.SelectMany(r => r.Errors).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Sum(e => e.Value)),
            ConnectSeconds = Math.Round(connectSeconds, 2),
            Published = publisher.Sent,
            PublishFailures = new Dictionary<string, int>(publisher.Failures),
            PublishSeconds = Math.Round(publishSeconds, 2),
            Expected = (long)connected * _settings.Events,
            Delivered = delivered,
            Lost = results.Sum(r => r.Lost),
            Duplicates = results.Sum(r => r.Duplicates),
            Reordered = results.Sum(r => r.Reordered),
            Unexpected = results.Sum(r => r.Unexpected),
            EndedEarly = results.Sum(r => r.EndedEarly),
            Completed = completed,
            DeliveriesPerSecond = deliverySeconds > 0 ? Math.Round(delivered / deliverySeconds) : 0,
            Latency = LatencySummary.Of(latency),
            PublishRoundTrip = LatencySummary.Of(publisher.RoundTrips),
            Server = server.Length == 0 ? null : server[0].Figures(delivered, connected, server.Length > 1 ? [.. server.Skip(1).Select(r => r.Figures(delivered, connected))] : null),
            LoadGeneratorCpuSeconds = Math.Round(loadCpu, 2),
            LoadGeneratorCpuMicrosecondsPerDelivery = ServerReadings.PerDelivery(loadCpu, delivered),
            DurationSeconds = Math.Round(durationSeconds, 1),
        };
    }

    private WorkerAssignment Assignment(int index)
    {
        int share = _settings.Subscribers / _settings.Workers;
        int extra = _settings.Subscribers % _settings.Workers;
        int first = (index * share) + Math.Min(index, extra);
        int count = share + (index < extra ? 1 : 0);

        // Each worker connects from its own loopback address, so each has the whole ephemeral port
        // range to itself (about 28,000 connections, whichever servers they go to: the socket is
        // bound to its source before it connects, so its port is taken for every destination).
        string? source = _settings.Http == "1.1" && _settings.SubscribeUrls.All(IsLoopbackV4)
            ? $"127.0.{(index + 2) / 256}.{(index + 2) % 256}"
            : null;
        return new WorkerAssignment(_settings, first, count, source);
    }

    private static bool IsLoopbackV4(string template) =>
        IPAddress.TryParse(new Uri(BenchSettings.Fill(template, "x")).Host, out IPAddress? host) && host.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && IPAddress.IsLoopback(host);

    /// <summary>One worker process and the reports it writes.</summary>
    private sealed class Worker : IAsyncDisposable
    {
        private static readonly string[] Kinds = ["connected", "complete", "result"];

        private readonly Process _process;
        private readonly Task _stderr;
        private readonly Task _stdout;
        private readonly Dictionary<string, TaskCompletionSource<WorkerReport>> _reports = Kinds.ToDictionary(kind => kind, _ => new TaskCompletionSource<WorkerReport>(TaskCreationOptions.RunContinuationsAsynchronously));

        private Worker(Process process, TextWriter log)
        {
            _process = process;
            _stderr = Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    await log.WriteLineAsync(line).ConfigureAwait(false);
                }
            });
            _stdout = Task.Run(ReadReportsAsync);
        }

        public static Worker Start(int index, WorkerAssignment assignment, TextWriter log)
        {
            string executable = Environment.ProcessPath ?? throw new InvalidOperationException("herald bench: cannot tell which program to start workers with.");
            var start = new ProcessStartInfo(executable)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };

            // Run as "dotnet herald.dll", the worker is that too.
            if (Path.GetFileNameWithoutExtension(executable) == "dotnet")
            {
                start.ArgumentList.Add(typeof(BenchWorker).Assembly.Location);
            }

            start.ArgumentList.Add("bench");
            start.ArgumentList.Add("worker");
            start.Environment["HERALD_BENCH_WORKER"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Process process = Process.Start(start) ?? throw new InvalidOperationException("herald bench: a worker process did not start.");
            var worker = new Worker(process, log);
            process.StandardInput.WriteLine(JsonSerializer.Serialize(assignment, BenchJsonContext.Default.WorkerAssignment));
            process.StandardInput.Flush();
            return worker;
        }

        /// <summary>The worker's report of <paramref name="kind"/>, when it comes.</summary>
        public Task<WorkerReport> NextAsync(string kind) => _reports[kind].Task;

        public async Task StopAsync()
        {
            await _process.StandardInput.WriteLineAsync("stop").ConfigureAwait(false);
            await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                _process.StandardInput.Close();
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is TimeoutException or IOException or InvalidOperationException)
            {
                _process.Kill(entireProcessTree: true);
            }

            await Task.WhenAll(_stdout, _stderr).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            _process.Dispose();
        }

        private async Task ReadReportsAsync()
        {
            while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (JsonSerializer.Deserialize(line, BenchJsonContext.Default.WorkerReport) is { } report && _reports.TryGetValue(report.Kind, out TaskCompletionSource<WorkerReport>? waiting))
                {
                    waiting.TrySetResult(report);
                }
            }

            foreach ((string kind, TaskCompletionSource<WorkerReport> waiting) in _reports)
            {
                waiting.TrySetException(new InvalidOperationException($"herald bench: a worker exited before reporting '{kind}'."));
            }
        }
    }
}
