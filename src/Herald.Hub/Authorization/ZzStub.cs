#pragma warning disable
using System.Text.Json;
using Microsoft.AspNetCore.Http;
namespace Herald.Hub.Authorization;
public enum HubRole { Publisher, Subscriber }
public enum TokenSource { None, AuthorizationHeader, QueryParameter, Cookie }
public sealed class HeraldJwtOptions { public string? Key { get; set; } public string Algorithm { get; set; } = "HS256"; public string? JwksFile { get; set; } }
public sealed class HeraldAuthorizationOptions { public HeraldJwtOptions Publisher { get; set; } = new(); public HeraldJwtOptions Subscriber { get; set; } = new(); public TimeSpan ClockSkew { get; set; } public string CookieName { get; set; } = "mercureAuthorization"; public string QueryParameterName { get; set; } = "authorization"; }
public sealed class HubClaims { public IReadOnlyList<string>? Publish { get; init; } public IReadOnlyList<string>? Subscribe { get; init; } public JsonElement? Payload { get; init; } public DateTimeOffset? ExpiresAt { get; init; } }
public enum HubAuthorizationStatus { Anonymous, Authorized, Invalid }
public sealed class HubAuthorizationResult { public HubAuthorizationStatus Status { get; init; } public HubClaims? Claims { get; init; } public TokenSource Source { get; init; } public string? Error { get; init; } }
public interface IHubAuthorizer { ValueTask<HubAuthorizationResult> AuthorizeAsync(HttpRequest request, HubRole role, CancellationToken cancellationToken); }
public sealed class JwtHubAuthorizer : IHubAuthorizer { public JwtHubAuthorizer(HeraldAuthorizationOptions o, TimeProvider t) { } public ValueTask<HubAuthorizationResult> AuthorizeAsync(HttpRequest request, HubRole role, CancellationToken cancellationToken) => new(new HubAuthorizationResult()); }
public static class HubTokenFactory { public static string Create(HeraldJwtOptions signingKey, IEnumerable<string>? publish, IEnumerable<string>? subscribe, JsonElement? payload = null, DateTimeOffset? expires = null, string? subject = null) => ""; }
