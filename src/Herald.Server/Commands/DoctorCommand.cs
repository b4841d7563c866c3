using System.CommandLine;
using Herald.Hub.Diagnostics;
using Herald.Server.Doctor;

namespace Herald.Server.Commands;

/// <summary>
/// <c>herald doctor URL</c>: reads the hub's delivery-path diagnostics stream through whatever
/// proxies or CDNs the URL goes through, and reports buffering, idle cut-offs, compression, the
/// HTTP version and changed headers, with a verdict and the fix for each problem.
/// </summary>
internal static class DoctorCommand
{
    /// <summary>Exit code when the path has at least one problem.</summary>
    public const int ProblemsFound = 1;

    /// <summary>Exit code when the diagnostics stream cannot be read (unreachable, refused, not a hub).</summary>
    public const int Unavailable = 2;

    /// <summary>The widest check name, so the report's columns line up.</summary>
    private const int CheckWidth = 18;

    public static Command Create()
    {
        var url = new Argument<string>("url") { Description = "The hub as clients reach it (through the proxy or CDN): its base URL, its /.well-known/mercure URL, or the diagnostics URL." };
        var idle = new Option<int>("--idle")
        {
            Description = $"Seconds of silence to test (0 to {HeraldDiagnostics.MaxIdleSeconds}; default {HeraldDiagnostics.DefaultIdleSeconds}, past the hub's 15 s heartbeat). A proxy that closes silent connections sooner shows as an idle cut-off.",
            DefaultValueFactory = _ => HeraldDiagnostics.DefaultIdleSeconds,
        };

        var command = new Command("doctor", """
            Check the delivery path to a hub: read its diagnostics stream (timed events, padding, an idle gap) through whatever proxy or CDN the URL goes through.
            Reports buffering (events arriving later than sent, in clumps), idle cut-offs, compression, the HTTP version and changed headers, with the fix for each problem (nginx directives, or what to look for in other proxies).
            Exit 0 when the path is healthy, 1 when it has problems, 2 when the hub cannot be reached or is not a Herald hub.
            """)
        {
            url, idle,
        };

        command.SetAction(async (result, cancellationToken) =>
        {
            if (!Uri.TryCreate(result.GetValue(url), UriKind.Absolute, out Uri? hub) || (hub.Scheme != Uri.UriSchemeHttp && hub.Scheme != Uri.UriSchemeHttps))
            {
                await Console.Error.WriteLineAsync($"herald doctor: '{result.GetValue(url)}' is not an http or https URL.").ConfigureAwait(false);
                return Unavailable;
            }

            if (result.GetValue(idle) is < 0 or > HeraldDiagnostics.MaxIdleSeconds)
            {
                await Console.Error.WriteLineAsync($"herald doctor: --idle must be 0 to {HeraldDiagnostics.MaxIdleSeconds} seconds.").ConfigureAwait(false);
                return Unavailable;
            }

            return await RunAsync(hub, result.GetValue(idle), Console.Out, Console.Error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Runs the command with explicit writers, so tests can drive it in-process.</summary>
    public static async Task<int> RunAsync(Uri url, int idleSeconds, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        Uri diagnostics = DiagnosticsUrl.For(url, idleSeconds);
        await output.WriteLineAsync($"herald doctor: reading {diagnostics} (about {idleSeconds + 3} s)").ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);

        ProbeReading reading;
        try
        {
            reading = await DiagnosticsReader.ReadAsync(diagnostics, idleSeconds, cancellationToken).ConfigureAwait(false);
        }
        catch (DiagnosticsUnavailableException exception)
        {
            await error.WriteLineAsync($"herald doctor: {exception.Message}").ConfigureAwait(false);
            return Unavailable;
        }

        List<DoctorFinding> findings = DeliveryDiagnosis.Diagnose(reading);
        foreach (DoctorFinding finding in findings)
        {
            await output.WriteLineAsync($"  {Label(finding.Severity),-8} {finding.Check.PadRight(CheckWidth)} {finding.Observed}").ConfigureAwait(false);
        }

        List<DoctorFinding> problems = findings.FindAll(finding => finding.Severity == DoctorSeverity.Problem);
        await output.WriteLineAsync(problems.Count == 0
            ? "Verdict: OK. Events arrive as the hub sends them, and the stream survives the idle gap."
            : $"Verdict: {problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")} on the delivery path.").ConfigureAwait(false);
        foreach (DoctorFinding finding in findings.Where(finding => finding.Fix is not null))
        {
            await output.WriteLineAsync($"  {(finding.Severity == DoctorSeverity.Problem ? "Fix" : "Advice")} ({finding.Check}): {finding.Fix}").ConfigureAwait(false);
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return problems.Count == 0 ? 0 : ProblemsFound;
    }

    private static string Label(DoctorSeverity severity) => severity switch
    {
        DoctorSeverity.Ok => "ok",
        DoctorSeverity.Note => "note",
        DoctorSeverity.Advice => "advice",
        _ => "PROBLEM",
    };
}
