using System.CommandLine;
using System.Text.Json;
using Herald.Server.Bench;

namespace Herald.Server.Commands;

/// <summary>
/// <c>herald bench</c>: a load generator for any SSE server. Subscribers (HTTP/1.1 sockets or
/// HTTP/2 streams, spread over worker processes) receive events published at a fixed rate; the
/// run reports connections, loss, duplicates and reordering, latency percentiles, throughput, and
/// the CPU and memory of the server and of the load generator itself.
/// <c>herald bench report FILE...</c> turns saved results into one Markdown table.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Exit code of a run that completed but was not clean: a subscriber failed to connect, or lost, duplicated or reordered an event.</summary>
    public const int NotClean = 1;

    /// <summary>Exit code when the run could not be carried out.</summary>
    public const int Failed = 2;

    public static Command Create()
    {
        var subscribeUrl = new Option<string[]>("--subscribe-url") { Description = "The subscribe URL; {topic} is replaced by each subscriber's topic, URL-encoded, and {stream} by the topic's last path segment (a token stream's id). Example: 'http://127.0.0.1:8080/.well-known/mercure?topic={topic}'. Repeatable (HTTP/1.1 only), to spread the subscribers over a cluster's nodes: subscriber i takes URL i mod their count (a --topics sharing a factor with that count puts each topic's subscribers on only some of the URLs: 3 topics over 3 nodes, one node each).", Required = true };
        var publishUrl = new Option<string>("--publish-url") { Description = "The publish URL ({topic} replaced as above for raw servers); with several subscribe URLs, every event is still published here (one node of the cluster).", Required = true };
        var format = new Option<string>("--publish-format") { Description = "mercure: a form with topic and data; raw: the data as the body; stream: one streaming POST per topic to a Herald token stream ({stream} in the URLs is the stream's id, new every run), each event a token of its text/event-stream body.", DefaultValueFactory = _ => "mercure" };
        format.AcceptOnlyFromAmong("mercure", "raw", BenchSettings.StreamFormat);
        var token = new Option<string?>("--token") { Description = "The publisher's bearer token." };
        var subscriberToken = new Option<string?>("--subscriber-token") { Description = "The subscribers' bearer token." };
        var subscribers = new Option<int>("--subscribers") { Description = "How many subscribers connect.", DefaultValueFactory = _ => 1_000 };
        var topics = new Option<int>("--topics") { Description = "How many topics (subscriber i takes topic i mod topics); each gets its own publisher lane.", DefaultValueFactory = _ => 1 };
        var events = new Option<int>("--events") { Description = "Events published to each topic.", DefaultValueFactory = _ => 200 };
        var rate = new Option<double>("--rate") { Description = "Events per second to each topic.", DefaultValueFactory = _ => 100 };
        var payload = new Option<int>("--payload") { Description = "Bytes of data per event.", DefaultValueFactory = _ => 64 };
        var http = new Option<string>("--http") { Description = "1.1: a socket per subscriber; 2: HTTP/2 streams over shared cleartext (h2c) connections.", DefaultValueFactory = _ => "1.1" };
        http.AcceptOnlyFromAmong("1.1", "2");
        var workers = new Option<int?>("--workers") { Description = "Worker processes holding the subscribers (default: the core count, and at least one per 15,000 HTTP/1.1 subscribers)." };
        var connectConcurrency = new Option<int>("--connect-batch") { Description = "Connection attempts each worker has in flight at once.", DefaultValueFactory = _ => 200 };
        var connectTimeout = new Option<double>("--connect-timeout") { Description = "Seconds all subscribers may take to connect.", DefaultValueFactory = _ => 120 };
        var idle = new Option<double>("--idle") { Description = "Seconds the connected subscribers sit idle before the server's memory is read and publishing starts.", DefaultValueFactory = _ => 2 };
        var drain = new Option<double>("--drain") { Description = "Seconds after the last publish that deliveries may still arrive.", DefaultValueFactory = _ => 10 };
        var serverPids = new Option<int[]>("--server-pid") { Description = "The server's process id (repeatable; child processes included), to measure its CPU and memory; given several (a cluster's nodes and its Redis), each is also reported on its own.", AllowMultipleArgumentsPerToken = true };
        var label = new Option<string>("--label") { Description = "The run's name in tables.", DefaultValueFactory = _ => "run" };
        var json = new Option<string?>("--json") { Description = "Also write the result as JSON to this file ('-': print JSON instead of the table)." };

        var command = new Command("bench", "Load-test an SSE server: latency, loss, throughput, and the server's CPU and memory.")
        {
            subscribeUrl, publishUrl, format, token, subscriberToken, subscribers, topics, events, rate, payload, http, workers,
            connectConcurrency, connectTimeout, idle, drain, serverPids, label, json,
            CreateReport(),
            CreateWorker(),
        };

        command.SetAction(async (result, cancellationToken) =>
        {
            // Checked here rather than in a validator, which does not see the options' defaults.
            string? invalid = Invalid(result.GetValue(subscribers), result.GetValue(topics), result.GetValue(events), result.GetValue(rate), result.GetValue(connectConcurrency), result.GetValue(workers), result.GetValue(subscribeUrl)!, result.GetValue(publishUrl)!, result.GetValue(format)!, result.GetValue(http)!);
            if (invalid is not null)
            {
                await Console.Error.WriteLineAsync($"herald bench: {invalid}").ConfigureAwait(false);
                return Failed;
            }

            int count = result.GetValue(subscribers);
            string protocol = result.GetValue(http)!;
            string publishFormat = result.GetValue(format)!;
            var settings = new BenchSettings
            {
                SubscribeUrls = result.GetValue(subscribeUrl)!,
                PublishUrl = result.GetValue(publishUrl)!,
                PublishFormat = publishFormat,
                TopicPrefix = publishFormat == BenchSettings.StreamFormat ? BenchSettings.NewStreamTopicPrefix() : BenchSettings.DefaultTopicPrefix,
                PublisherToken = result.GetValue(token),
                SubscriberToken = result.GetValue(subscriberToken),
                Subscribers = count,
                Topics = result.GetValue(topics),
                Events = result.GetValue(events),
                Rate = result.GetValue(rate),
                PayloadBytes = result.GetValue(payload),
                Http = protocol,
                Workers = result.GetValue(workers) ?? Math.Max(Environment.ProcessorCount, protocol == "1.1" ? (count + 14_999) / 15_000 : 1),
                ConnectConcurrency = result.GetValue(connectConcurrency),
                ConnectTimeoutSeconds = result.GetValue(connectTimeout),
                IdleSeconds = result.GetValue(idle),
                DrainSeconds = result.GetValue(drain),
                ServerPids = result.GetValue(serverPids) ?? [],
                Label = result.GetValue(label)!,
            };

            BenchResult outcome;
            try
            {
                outcome = await new BenchCoordinator(settings, Console.Error).RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is TimeoutException or InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
            {
                await Console.Error.WriteLineAsync($"herald bench: {exception.Message}").ConfigureAwait(false);
                return Failed;
            }

            string text = JsonSerializer.Serialize(outcome, BenchJsonContext.Default.BenchResult);
            string? jsonPath = result.GetValue(json);
            if (jsonPath == "-")
            {
                Console.Out.WriteLine(text);
            }
            else
            {
                outcome.WriteTable(Console.Out);
                if (jsonPath is not null)
                {
                    await File.WriteAllTextAsync(jsonPath, text + "\n", cancellationToken).ConfigureAwait(false);
                }
            }

            return outcome.Clean ? 0 : NotClean;
        });
        return command;
    }

    private static string? Invalid(int subscribers, int topics, int events, double rate, int connectBatch, int? workers, string[] subscribeUrls, string publishUrl, string format, string http)
    {
        if (subscribeUrls.Length > 1 && http != "1.1")
        {
            return "several --subscribe-url need --http 1.1: an HTTP/2 connection's streams all go to one server.";
        }

        if (format == BenchSettings.StreamFormat && !publishUrl.Contains("{stream}", StringComparison.Ordinal))
        {
            return "--publish-format stream needs {stream} in --publish-url: every topic is a stream of its own.";
        }

        if (subscribers < 1 || topics < 1 || events < 1 || rate <= 0 || connectBatch < 1 || workers is < 1)
        {
            return "--subscribers, --topics, --events, --rate, --connect-batch and --workers must be positive.";
        }

        if (topics > subscribers)
        {
            return "--topics may not exceed --subscribers: every topic needs a subscriber.";
        }

        foreach ((string name, string url) in subscribeUrls.Select(url => ("--subscribe-url", url)).Append(("--publish-url", publishUrl)))
        {
            if (!(Uri.TryCreate(url.Replace("{topic}", "t", StringComparison.Ordinal), UriKind.Absolute, out Uri? parsed) && parsed.Scheme == Uri.UriSchemeHttp))
            {
                return $"{name} must be an absolute http URL; got '{url}'.";
            }
        }

        return null;
    }

    private static Command CreateReport()
    {
        var files = new Argument<string[]>("files") { Description = "Result files written by 'herald bench --json'.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("report", "Print saved 'herald bench' results as one Markdown table.") { files };
        command.SetAction(result =>
        {
            var results = new List<BenchResult>();
            foreach (string file in result.GetValue(files)!)
            {
                try
                {
                    results.Add(JsonSerializer.Deserialize(File.ReadAllText(file), BenchJsonContext.Default.BenchResult) ?? throw new JsonException("empty"));
                }
                catch (Exception exception) when (exception is IOException or JsonException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"herald bench report: {file}: {exception.Message}");
                    return Failed;
                }
            }

            BenchResult.WriteMarkdown(results, Console.Out);
            return 0;
        });
        return command;
    }

    private static Command CreateWorker()
    {
        var command = new Command("worker", "A worker process of a run (started by 'herald bench' itself).") { Hidden = true };
        command.SetAction((_, _) => BenchWorker.RunAsync(Console.In, Console.Out));
        return command;
    }
}
