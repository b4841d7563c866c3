using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using Herald.Sse;

namespace Herald.Hub.Diagnostics;

/// <summary>
/// The fixed script of the diagnostics stream (<see cref="HeraldDiagnostics"/>): an opening
/// event, paced events, a burst, two padded events, an idle gap and a final event, each flushed
/// on its own and stamped with the hub's time since the script began. About three seconds plus
/// the idle gap, and about 20 KiB, whatever the request: cheap to serve, and bounded.
/// </summary>
internal sealed class DiagnosticsScript(TimeProvider time, int idleSeconds, string protocol, bool forwarded)
{
    /// <summary>How many paced events, and how far apart: a buffering path cannot deliver them
    /// as far apart as they were sent.</summary>
    private const int PacedCount = 6;

    private const int BurstCount = 20;

    private static readonly TimeSpan PhaseInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Padding comments of 2 KiB and 16 KiB: a buffer that holds small writes releases
    /// what it held once one of them fills it, which tells roughly how big it is.</summary>
    private static readonly byte[][] Paddings = [Padding(2 * 1024), Padding(16 * 1024)];

    /// <summary>How many events the script sends: open, paced, burst, padded, idle and end.</summary>
    public const int EventCount = 1 + PacedCount + BurstCount + 2 + 1 + 1;

    private long _start;
    private int _sequence;

    public async Task RunAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        _start = time.GetTimestamp();
        await SendAsync(output, HeraldDiagnostics.OpenPhase, string.Create(CultureInfo.InvariantCulture, $",\"protocol\":\"{JsonEncodedText.Encode(protocol)}\",\"forwarded\":{(forwarded ? "true" : "false")},\"idle\":{idleSeconds},\"events\":{EventCount}"), cancellationToken).ConfigureAwait(false);

        for (int i = 0; i < PacedCount; i++)
        {
            await Task.Delay(PhaseInterval, time, cancellationToken).ConfigureAwait(false);
            await SendAsync(output, HeraldDiagnostics.PacedPhase, extra: null, cancellationToken).ConfigureAwait(false);
        }

        await Task.Delay(PhaseInterval, time, cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < BurstCount; i++)
        {
            await SendAsync(output, HeraldDiagnostics.BurstPhase, extra: null, cancellationToken).ConfigureAwait(false);
        }

        foreach (byte[] padding in Paddings)
        {
            await Task.Delay(PhaseInterval, time, cancellationToken).ConfigureAwait(false);
            output.Write(padding.AsSpan());
            await SendAsync(output, HeraldDiagnostics.PaddingPhase, string.Create(CultureInfo.InvariantCulture, $",\"padding\":{padding.Length}"), cancellationToken).ConfigureAwait(false);
        }

        await Task.Delay(PhaseInterval, time, cancellationToken).ConfigureAwait(false);
        await SendAsync(output, HeraldDiagnostics.IdlePhase, extra: null, cancellationToken).ConfigureAwait(false);

        // Nothing at all, not even a heartbeat: a path that cuts silent connections shows it here.
        await Task.Delay(TimeSpan.FromSeconds(idleSeconds), time, cancellationToken).ConfigureAwait(false);
        await SendAsync(output, HeraldDiagnostics.EndPhase, extra: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes one probe event stamped now and flushes it at once.</summary>
    private async Task SendAsync(PipeWriter output, string phase, string? extra, CancellationToken cancellationToken)
    {
        double elapsed = time.GetElapsedTime(_start).TotalMilliseconds;
        string data = string.Create(CultureInfo.InvariantCulture, $"{{\"seq\":{_sequence++},\"phase\":\"{phase}\",\"t\":{elapsed:0.0}{extra}}}");
        SseEncoder.WriteEvent(output, data, HeraldDiagnostics.ProbeEventType);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A comment line of exactly <paramref name="size"/> bytes, newline included.</summary>
    private static byte[] Padding(int size)
    {
        byte[] line = new byte[size];
        line.AsSpan().Fill((byte)'.');
        line[0] = (byte)':';
        line[^1] = (byte)'\n';
        return line;
    }
}
