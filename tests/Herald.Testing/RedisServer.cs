using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Herald.Testing;

/// <summary>
/// A real <c>redis-server</c> (Debian's, installed by <c>scripts/test.sh</c>) of the test's own, on
/// a free 127.0.0.1 port with a temporary directory: append-only file synced on every write, so a
/// kill loses nothing Redis acknowledged, as a production hub's Redis is configured. It can be
/// killed and started again on the same port and data. Disposing stops it and deletes its data.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private const string Executable = "/usr/bin/redis-server";
    private readonly TempDirectory _directory = new();
    private Process? _process;

    private RedisServer(int port)
    {
        Port = port;
    }

    /// <summary>The port it listens on, the same across restarts.</summary>
    public int Port { get; }

    /// <summary>Its URL, as <c>herald serve --redis</c> takes it.</summary>
    public string Url => $"redis://127.0.0.1:{Port}";

    /// <summary>Starts a server on a free port and waits until it answers.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: scripts/test.sh installs it (apt-get install -y redis-server).");
        }

        var server = new RedisServer(FreePort());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again, after <see cref="KillAsync"/>) on the same port and data,
    /// and waits until it answers.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory.Path,
        };
        foreach (string argument in new[]
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--dir", _directory.Path, "--save", string.Empty, "--appendonly", "yes", "--appendfsync", "always",
            "--protected-mode", "no", "--daemonize", "no", "--loglevel", "warning",
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using CancellationTokenSource bound = Bounded.Wait(TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                if (await CommandAsync("PING", bound.Token) == "+PONG")
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is SocketException or IOException && !bound.IsCancellationRequested)
            {
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode} at start.");
            }

            // Polls a process that is starting: no event tells when it listens.
            await Task.Delay(20, bound.Token);
        }
    }

    /// <summary>Kills the server (SIGKILL, no chance to save) and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            using CancellationTokenSource bound = Bounded.Wait(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(bound.Token);
        }
    }

    /// <summary>Sends one inline command and returns the first line of the reply (for example
    /// <c>+PONG</c> or <c>:42</c>).</summary>
    public async Task<string> CommandAsync(string command, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\r\n"), cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadLineAsync(cancellationToken) ?? throw new IOException("Redis closed the connection.");
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _directory.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
