using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Herald.Benchmarks;

/// <summary>Adds the <see cref="EventsPerSecondColumn"/> to a benchmark class.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class EventsPerSecondColumnAttribute() : ColumnConfigBaseAttribute(new EventsPerSecondColumn());

/// <summary>
/// Shows throughput on one thread as events per second, the figure SSE users compare; it is
/// 1e9 / Mean (ns) because every benchmark here sets OperationsPerInvoke to its event count.
/// </summary>
internal sealed class EventsPerSecondColumn : IColumn
{
    public string Id => nameof(EventsPerSecondColumn);

    public string ColumnName => "Events/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Events parsed or written per second on one thread (1e9 / Mean, as Mean is per event)";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return meanNanoseconds is > 0
            ? (1e9 / meanNanoseconds.Value).ToString("N0", style.CultureInfo ?? CultureInfo.InvariantCulture)
            : "NA";
    }

    public override string ToString() => ColumnName;
}
