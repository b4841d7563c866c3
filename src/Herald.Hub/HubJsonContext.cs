using System.Text.Json.Serialization;
using Herald.Hub.Http;
using Herald.Hub.Streams;
using Herald.Hub.Subscriptions;

namespace Herald.Hub;

/// <summary>Source-generated JSON for what the hub writes itself (no reflection at run time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ResetNotice))]
[JsonSerializable(typeof(SubscriptionResource))]
[JsonSerializable(typeof(SubscriptionCollection))]
[JsonSerializable(typeof(TokenStreamNotice))]
internal sealed partial class HubJsonContext : JsonSerializerContext;
