using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Herald.Testing;

/// <summary>
/// A real nginx (Debian's, installed by <c>scripts/test.sh</c>) of the test's own: one process in
/// the foreground (no daemon, no master), on a free 127.0.0.1 port, with its configuration, pid,
/// logs and temporary files in a temporary directory. It proxies every request to an upstream
/// with the directives a test gives for the location. Disposing stops it and deletes the directory.
/// </summary>
public sealed class NginxServer : IAsyncDisposable
{
    private const string Executable = "/usr/sbin/nginx";
    private readonly TempDirectory _directory;
    private readonly Process _process;

    private NginxServer(TempDirectory directory, Process process, int port)
    {
        _directory = directory;
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Where nginx listens.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Starts nginx proxying to <paramref name="upstream"/> with the
    /// <paramref name="locationDirectives"/> (e.g. <c>proxy_buffering off;</c>) inside its one
    /// <c>location /</c>, and waits until it accepts connections.</summary>
    public static async Task<NginxServer> StartAsync(Uri upstream, string locationDirectives)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: scripts/test.sh installs it (apt-get install -y nginx).");
        }

        int port = FreePort();
        var directory = new TempDirectory();
        string dir = directory.Path;
        string config = Path.Combine(dir, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            daemon off;
            master_process off;
            worker_processes 1;
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/error.log warn;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path {{dir}}/client_body;
                proxy_temp_path {{dir}}/proxy;
                fastcgi_temp_path {{dir}}/fastcgi;
                uwsgi_temp_path {{dir}}/uwsgi;
                scgi_temp_path {{dir}}/scgi;
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass {{upstream.GetLeftPart(UriPartial.Authority)}};
                        proxy_set_header X-Forwarded-For $remote_addr;
                        {{locationDirectives}}
                    }
                }
            }
            """);

        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        foreach (string argument in new[] { "-c", config, "-p", dir, "-e", Path.Combine(dir, "error.log") })
        {
            start.ArgumentList.Add(argument);
        }

        var server = new NginxServer(directory, Process.Start(start)!, port);
        try
        {
            await server.WaitUntilListeningAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    private async Task WaitUntilListeningAsync()
    {
        using CancellationTokenSource bound = Bounded.Wait(TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, BaseAddress.Port, bound.Token);
                return;
            }
            catch (SocketException) when (!bound.IsCancellationRequested)
            {
            }

            if (_process.HasExited)
            {
                string log = await File.ReadAllTextAsync(Path.Combine(_directory.Path, "error.log"));
                throw new InvalidOperationException($"nginx exited with {_process.ExitCode} at start: {log}");
            }

            // Polls a process that is starting: no event tells when it listens.
            await Task.Delay(20, bound.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using CancellationTokenSource bound = Bounded.Wait(TimeSpan.FromSeconds(20));
            await _process.WaitForExitAsync(bound.Token);
        }

        _process.Dispose();
        _directory.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
