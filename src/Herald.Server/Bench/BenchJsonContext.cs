using System.Text.Json.Serialization;

namespace Herald.Server.Bench;

/// <summary>The JSON of the benchmark: between its processes, and the result a run writes.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WorkerAssignment))]
[JsonSerializable(typeof(WorkerReport))]
[JsonSerializable(typeof(BenchResult))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
