using Microsoft.AspNetCore.Http;

namespace Herald.Hub.Authorization;

/// <summary>
/// Authorizes requests with Mercure JWTs (draft-07, as the Mercure hub 0.24 does): a compact JWS
/// whose <c>mercure</c> claim lists the topic selectors its bearer may publish to and receive
/// private updates of. Keys are built once, in the constructor; a bad key throws there so the
/// server refuses to start.
/// </summary>
public sealed class JwtHubAuthorizer : IHubAuthorizer
{
    private readonly RequestTokenReader _reader;
    private readonly HubTokenValidator _publisher;
    private readonly HubTokenValidator _subscriber;

    /// <summary>Builds the publisher and subscriber keys.</summary>
    /// <param name="options">The settings; read once, later changes have no effect.</param>
    /// <param name="timeProvider">The clock <c>exp</c> and <c>nbf</c> are checked against.</param>
    /// <exception cref="ArgumentException">
    /// A setting is unusable: a secret too short for its algorithm, an unreadable PEM key or JWKS
    /// file, an unknown algorithm, a negative clock skew. The message names the setting.
    /// </exception>
    public JwtHubAuthorizer(HeraldAuthorizationOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(options.Publisher, "options.Publisher");
        ArgumentNullException.ThrowIfNull(options.Subscriber, "options.Subscriber");
        if (options.ClockSkew < TimeSpan.Zero)
        {
            throw new ArgumentException($"ClockSkew must not be negative; it is {options.ClockSkew}.", nameof(options));
        }

        if (string.IsNullOrEmpty(options.CookieName) || string.IsNullOrEmpty(options.QueryParameterName))
        {
            throw new ArgumentException("CookieName and QueryParameterName must not be empty.", nameof(options));
        }

        _reader = new RequestTokenReader(options.CookieName, options.QueryParameterName, options.PublishOrigins);
        _publisher = new HubTokenValidator(options.Publisher, nameof(options.Publisher), "publishers", options.ClockSkew, timeProvider);
        _subscriber = new HubTokenValidator(options.Subscriber, nameof(options.Subscriber), "subscribers", options.ClockSkew, timeProvider);
    }

    /// <inheritdoc/>
    public ValueTask<HubAuthorizationResult> AuthorizeAsync(HttpRequest request, HubRole role, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        HubTokenValidator validator = role switch
        {
            HubRole.Publisher => _publisher,
            HubRole.Subscriber => _subscriber,
            _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown hub role."),
        };

        PresentedToken presented = _reader.Read(request);
        if (presented.Source == TokenSource.None)
        {
            return ValueTask.FromResult(HubAuthorizationResult.Anonymous);
        }

        return presented.Error is not null
            ? ValueTask.FromResult(HubAuthorizationResult.Failure(presented.Error, presented.Source))
            : validator.ValidateAsync(presented.Token!, presented.Source);
    }
}
