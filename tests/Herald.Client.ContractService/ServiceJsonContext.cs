using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.Client.ContractService;

/// <summary>The protocol's JSON: camelCase names, absent fields left out.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateStreamRequest))]
[JsonSerializable(typeof(StreamCommand))]
[JsonSerializable(typeof(ServiceStatus))]
[JsonSerializable(typeof(CallbackMessage))]
internal sealed partial class ServiceJsonContext : JsonSerializerContext;
