using System.Globalization;

namespace Herald.Server.Bench;

/// <summary>
/// The CPU time and memory of the server under test, read from <c>/proc</c>: the given processes
/// and all their descendants (nginx's workers, say). Memory is the proportional set size where the
/// kernel gives it (shared pages are split between the processes that share them, so a
/// multi-process server is not counted twice), else the resident set.
/// </summary>
internal sealed class ServerMeter
{
    // The kernel reports CPU in USER_HZ ticks, 100 a second on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    private readonly IReadOnlyList<int> _roots;

    public ServerMeter(IReadOnlyList<int> roots) => _roots = roots;

    /// <summary>Whether there is anything to measure.</summary>
    public bool IsEnabled => _roots.Count > 0 && OperatingSystem.IsLinux();

    /// <summary>The server's CPU seconds so far: in all, and in the kernel (system time: the
    /// network stack, mostly), which a server shares with every other doing the same sends.</summary>
    public (double Total, double Kernel) CpuSeconds()
    {
        double total = 0, kernel = 0;
        foreach (int pid in Processes())
        {
            if (StatFields(pid) is { } fields)
            {
                double user = long.Parse(fields[11], CultureInfo.InvariantCulture) / TicksPerSecond;
                double system = long.Parse(fields[12], CultureInfo.InvariantCulture) / TicksPerSecond;
                total += user + system;
                kernel += system;
            }
        }

        return (total, kernel);
    }

    /// <summary>The server's memory now, in bytes.</summary>
    public long MemoryBytes() => Processes().Sum(MemoryOf);

    private List<int> Processes()
    {
        if (!IsEnabled)
        {
            return [];
        }

        var parents = new Dictionary<int, int>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && StatFields(pid) is { } fields)
            {
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }

        var tree = new List<int>(_roots.Where(parents.ContainsKey));
        for (int i = 0; i < tree.Count; i++)
        {
            tree.AddRange(parents.Where(pair => pair.Value == tree[i] && !tree.Contains(pair.Key)).Select(pair => pair.Key));
        }

        return tree;
    }

    private static long MemoryOf(int pid) =>
        KilobytesField($"/proc/{pid}/smaps_rollup", "Pss:") ?? KilobytesField($"/proc/{pid}/status", "VmRSS:") ?? 0;

    /// <summary>The fields of <c>/proc/PID/stat</c> after the command name: [0] is the state, [1] the parent, [11] utime, [12] stime.</summary>
    private static string[]? StatFields(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name is in parentheses and may itself hold spaces and parentheses.
        int nameEnd = text.LastIndexOf(')');
        return nameEnd < 0 ? null : text[(nameEnd + 2)..].Split(' ');
    }

    private static long? KilobytesField(string path, string name)
    {
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                if (line.StartsWith(name, StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(name.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
