using System.Diagnostics;
using System.Threading.Channels;

namespace Herald.Testing;

/// <summary>
/// The real <c>herald</c> executable (the <c>herald.dll</c> built beside the test assembly) in a
/// process of its own, with its output readable line by line. Disposing kills it.
/// </summary>
public sealed class HeraldProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];

    private HeraldProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Received(e.Data);
        process.ErrorDataReceived += (_, e) => Received(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The process id, for tools that measure it (<c>herald bench --server-pid</c>).</summary>
    public int Id => _process.Id;

    /// <summary>Everything printed so far, standard output and error interleaved.</summary>
    public string Output
    {
        get
        {
            lock (_seen)
            {
                return string.Join('\n', _seen);
            }
        }
    }

    public static HeraldProcess Start(params string[] arguments) => Start(new Dictionary<string, string>(), arguments);

    /// <summary>Starts herald with <paramref name="environment"/> added to the test's environment.</summary>
    public static HeraldProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "herald.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new HeraldProcess(Process.Start(start)!);
    }

    /// <summary>The first line (from now on, or already printed) that satisfies <paramref name="match"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        using CancellationTokenSource bound = Bounded.Wait(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            while (true)
            {
                string line = await _lines.Reader.ReadAsync(bound.Token);
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException)
        {
            throw new TimeoutException($"herald never printed the expected line. Output so far:\n{Output}");
        }
    }

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using CancellationTokenSource bound = Bounded.Wait(timeout ?? TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(bound.Token);
        return _process.ExitCode;
    }

    /// <summary>Kills the process at once (SIGKILL: no shutdown, no flush), as a crash would.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        using CancellationTokenSource bound = Bounded.Wait();
        await _process.WaitForExitAsync(bound.Token);
    }

    /// <summary>Asks the process to stop (SIGTERM, as a service manager does) and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await TerminateAsync();
        return await WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM (as a service manager does) and returns without waiting for the
    /// process to act on it.</summary>
    public async Task TerminateAsync()
    {
        using Process signal = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        using CancellationTokenSource bound = Bounded.Wait();
        await signal.WaitForExitAsync(bound.Token);
    }

    /// <summary>Waits for the "hub listening on" line and returns the hub's URL from it.</summary>
    public async Task<string> WaitForHubUrlAsync()
    {
        string line = await WaitForLineAsync(text => text.Contains(ListeningMarker, StringComparison.Ordinal));
        return line[(line.IndexOf(ListeningMarker, StringComparison.Ordinal) + ListeningMarker.Length)..].Trim();
    }

    private const string ListeningMarker = "hub listening on ";

    private void Received(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_seen)
        {
            _seen.Add(line);
        }

        _lines.Writer.TryWrite(line);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
