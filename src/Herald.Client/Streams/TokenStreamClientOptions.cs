namespace Herald.Client.Streams;

/// <summary>Where a <see cref="TokenStreamClient"/> finds the hub's token streams, and with which token.</summary>
public sealed class TokenStreamClientOptions
{
    /// <summary>The default <see cref="StreamsPath"/>.</summary>
    public const string DefaultStreamsPath = "/.well-known/herald/streams";

    /// <summary>The default <see cref="KeepAliveInterval"/>: 15 seconds.</summary>
    public static readonly TimeSpan DefaultKeepAliveInterval = TimeSpan.FromSeconds(15);

    /// <summary>The server's base URL, for example <c>http://127.0.0.1:8080/</c>: absolute <c>http</c> or <c>https</c>.</summary>
    public required Uri HubUrl { get; init; }

    /// <summary>
    /// The path of the streams endpoints, resolved against <see cref="HubUrl"/> as a link is: a
    /// leading <c>/</c> starts at the server's root, so a hub mounted under a path prefix needs
    /// that prefix here too.
    /// </summary>
    public string StreamsPath { get; init; } = DefaultStreamsPath;

    /// <summary>
    /// The bearer token sent with every request, unless <see cref="TokenProvider"/> is set. A
    /// producer needs a publisher token that allows the stream's topic; a reader of a private
    /// stream a subscriber token. A hub may sign the two kinds with different keys: then use one
    /// client for producing and another for reading.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>
    /// Supplies the bearer token, asked once per <see cref="TokenStreamClient.OpenAsync"/>,
    /// <see cref="TokenStreamClient.ReadAsync"/> and <see cref="TokenStreamClient.CancelAsync"/>
    /// (a read keeps its token across reconnections). Wins over <see cref="Token"/>; returning
    /// <see langword="null"/> sends no token.
    /// </summary>
    public Func<CancellationToken, ValueTask<string?>>? TokenProvider { get; init; }

    /// <summary>
    /// How long a producer may stay silent before its writer sends a keep-alive comment, so that a
    /// model that thinks for a while is not ended by the hub's idle timeout (keep this well below
    /// it). 15 seconds by default; <see langword="null"/> sends none.
    /// </summary>
    public TimeSpan? KeepAliveInterval { get; init; } = DefaultKeepAliveInterval;

    /// <summary>How long opening a producer's connection (TCP and TLS) may take: 30 seconds by default.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock of the keep-alives and of the readers' reconnection delays; tests replace it.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
