using Herald.Server.Commands;
using Herald.Testing;

namespace Herald.Server.Tests.Commands;

/// <summary><c>herald doctor</c> against a hub on real Kestrel: directly, and through a real nginx
/// configured the ways that matter (buffering on, buffering off, a short read timeout).</summary>
public sealed class DoctorCommandTests
{
    /// <summary>What a location needs for SSE: no buffering, HTTP/1.1 to the hub, a long read timeout.</summary>
    private const string StreamingLocation = """
        proxy_buffering off;
        proxy_http_version 1.1;
        proxy_set_header Connection '';
        proxy_read_timeout 1h;
        """;

    [Fact]
    public async Task A_hub_reached_directly_is_healthy()
    {
        await using HubHost hub = await HubHost.StartAsync();

        (int exit, string report) = await DoctorAsync(hub.HubUrl, idleSeconds: 1);

        Assert.True(exit == 0, report);
        Assert.Contains("Verdict: OK", report, StringComparison.Ordinal);
        Assert.Contains("the hub received HTTP/1.1 with no forwarding headers", report, StringComparison.Ordinal);
        Assert.Contains("ok       X-Accel-Buffering  no", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nginx_with_buffering_off_is_healthy()
    {
        await using HubHost hub = await HubHost.StartAsync();
        await using NginxServer nginx = await NginxServer.StartAsync(hub.BaseAddress, StreamingLocation);

        (int exit, string report) = await DoctorAsync(nginx.BaseAddress, idleSeconds: 1);

        Assert.True(exit == 0, report);
        Assert.Contains("Verdict: OK", report, StringComparison.Ordinal);
        Assert.Contains("through a proxy", report, StringComparison.Ordinal);
        Assert.DoesNotContain("PROBLEM", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nginx_with_buffering_on_is_reported_as_buffering_with_the_fix()
    {
        await using HubHost hub = await HubHost.StartAsync();
        // nginx's defaults (buffering on, HTTP/1.0 to the upstream) with small buffers, ignoring the
        // hub's X-Accel-Buffering: no as a config does when a layer in front of the hub drops it;
        // honoured, that header alone would turn nginx's buffering off.
        await using NginxServer nginx = await NginxServer.StartAsync(hub.BaseAddress, """
            proxy_buffering on;
            proxy_ignore_headers X-Accel-Buffering;
            proxy_buffer_size 4k;
            proxy_buffers 8 4k;
            """);

        (int exit, string report) = await DoctorAsync(nginx.BaseAddress, idleSeconds: 1);

        Assert.True(exit == 1, report);
        Assert.Contains("PROBLEM  Arrival            buffering:", report, StringComparison.Ordinal);
        Assert.Contains("Fix (Arrival):", report, StringComparison.Ordinal);
        Assert.Contains("proxy_buffering off;", report, StringComparison.Ordinal);
        Assert.Contains("advice   HTTP version", report, StringComparison.Ordinal);
        Assert.Contains("proxy_http_version 1.1;", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nginx_with_a_read_timeout_shorter_than_the_idle_gap_is_reported_as_an_idle_cut_off()
    {
        await using HubHost hub = await HubHost.StartAsync();
        await using NginxServer nginx = await NginxServer.StartAsync(hub.BaseAddress, StreamingLocation.Replace("proxy_read_timeout 1h;", "proxy_read_timeout 1s;", StringComparison.Ordinal));

        (int exit, string report) = await DoctorAsync(nginx.BaseAddress, idleSeconds: 3);

        Assert.True(exit == 1, report);
        Assert.Contains("PROBLEM  Idle gap           cut:", report, StringComparison.Ordinal);
        Assert.Contains("proxy_read_timeout 1h;", report, StringComparison.Ordinal);
        Assert.Contains("ok       Arrival", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hub_with_diagnostics_off_is_exit_2_with_the_reason()
    {
        await using HubHost hub = await HubHost.StartAsync(o => o.MaxDiagnosticsStreams = 0);

        (int exit, string report) = await DoctorAsync(hub.BaseAddress, idleSeconds: 1);

        Assert.True(exit == 2, report);
        Assert.Contains("answered 404", report, StringComparison.Ordinal);
        Assert.Contains("turned off", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cli_exits_2_for_an_unreachable_hub_and_refuses_an_idle_gap_out_of_bounds()
    {
        await using (HeraldProcess unreachable = HeraldProcess.Start("doctor", $"http://127.0.0.1:{ClosedPort()}/", "--idle", "1"))
        {
            Assert.Equal(2, await unreachable.WaitForExitAsync());
            Assert.Contains("herald doctor: cannot reach", unreachable.Output, StringComparison.Ordinal);
        }

        await using HeraldProcess invalid = HeraldProcess.Start("doctor", "http://127.0.0.1:1/", "--idle", "61");
        Assert.Equal(2, await invalid.WaitForExitAsync());
        Assert.Contains("herald doctor: --idle must be 0 to 60 seconds.", invalid.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_max_diagnostics_0_turns_diagnostics_off_and_the_cli_doctor_says_so()
    {
        await using HeraldProcess hub = HeraldProcess.Start("serve", "--dev", "--in-memory", "--port", "0", "--max-diagnostics", "0");
        string hubUrl = await hub.WaitForHubUrlAsync();

        await using HeraldProcess doctor = HeraldProcess.Start("doctor", hubUrl, "--idle", "1");
        Assert.Equal(2, await doctor.WaitForExitAsync());
        Assert.Contains("answered 404", doctor.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://example.com", "https://example.com/.well-known/herald/diagnostics?idle=5")]
    [InlineData("https://example.com/.well-known/mercure", "https://example.com/.well-known/herald/diagnostics?idle=5")]
    [InlineData("https://example.com/hub/.well-known/mercure?topic=x", "https://example.com/hub/.well-known/herald/diagnostics?idle=5")]
    [InlineData("http://127.0.0.1:8080/.well-known/herald/diagnostics?idle=9", "http://127.0.0.1:8080/.well-known/herald/diagnostics?idle=5")]
    public void The_diagnostics_url_is_found_from_the_hub_url_keeping_a_proxy_prefix(string given, string expected)
    {
        Assert.Equal(expected, Doctor.DiagnosticsUrl.For(new Uri(given), 5).ToString());
    }

    private static async Task<(int Exit, string Report)> DoctorAsync(Uri url, int idleSeconds)
    {
        using var output = new StringWriter();
        using CancellationTokenSource bound = Bounded.Wait(TimeSpan.FromSeconds(idleSeconds + 30));
        int exit = await DoctorCommand.RunAsync(url, idleSeconds, output, output, bound.Token);
        return (exit, output.ToString());
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
