namespace Herald.Server.Bench;

/// <summary>
/// What one <see cref="ServerMeter"/> reads at the points of a run (before the subscribers
/// connect, once they are idle, when publishing starts, once drained) and the
/// <see cref="ServerFigures"/> they make. The coordinator keeps one for the servers together and,
/// given several <c>--server-pid</c>s (a cluster's nodes and its Redis), one for each.
/// </summary>
internal sealed class ServerReadings
{
    private readonly ServerMeter _meter;
    private readonly int? _pid;
    private readonly long _memoryBefore;
    private long _memoryIdle;
    private long _memoryAfter;
    private (double Total, double Kernel) _cpuStart;
    private (double Total, double Kernel) _cpuEnd;

    /// <summary>Takes the first reading (memory before any subscriber) at once.</summary>
    public ServerReadings(ServerMeter meter, int? pid = null)
    {
        _meter = meter;
        _pid = pid;
        _memoryBefore = meter.MemoryBytes();
    }

    /// <summary>Memory with every subscriber connected and idle.</summary>
    public void Idle() => _memoryIdle = _meter.MemoryBytes();

    /// <summary>CPU so far, as publishing starts.</summary>
    public void PublishStarts() => _cpuStart = _meter.CpuSeconds();

    /// <summary>CPU and memory after the last delivery (or the drain deadline).</summary>
    public void Drained()
    {
        _cpuEnd = _meter.CpuSeconds();
        _memoryAfter = _meter.MemoryBytes();
    }

    /// <summary>CPU <paramref name="seconds"/> per delivery, in microseconds.</summary>
    public static double PerDelivery(double seconds, long delivered) => delivered == 0 ? 0 : Math.Round(seconds * 1e6 / delivered, 3);

    /// <summary>The figures, with CPU per delivery over <paramref name="delivered"/> and memory per idle subscriber over <paramref name="connected"/>.</summary>
    public ServerFigures Figures(long delivered, int connected, IReadOnlyList<ServerFigures>? processes = null)
    {
        double cpu = _cpuEnd.Total - _cpuStart.Total;
        double kernel = _cpuEnd.Kernel - _cpuStart.Kernel;
        return new ServerFigures
        {
            Pid = _pid,
            CpuSeconds = Math.Round(cpu, 2),
            KernelCpuSeconds = Math.Round(kernel, 2),
            CpuMicrosecondsPerDelivery = PerDelivery(cpu, delivered),
            KernelCpuMicrosecondsPerDelivery = PerDelivery(kernel, delivered),
            MemoryBeforeBytes = _memoryBefore,
            MemoryIdleBytes = _memoryIdle,
            MemoryAfterBytes = _memoryAfter,
            MemoryPerIdleSubscriberBytes = connected == 0 ? 0 : (_memoryIdle - _memoryBefore) / connected,
            Processes = processes,
        };
    }
}
