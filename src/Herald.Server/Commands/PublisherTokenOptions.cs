using System.CommandLine;

namespace Herald.Server.Commands;

/// <summary>
/// <c>--token</c>, <c>--key</c> and <c>--algorithm</c>, shared by the commands that publish: a
/// ready publisher token, or a short-lived one signed from the hub's key for just what the
/// command publishes, so a developer can use <c>herald serve --key SECRET</c> without minting one.
/// </summary>
internal sealed class PublisherTokenOptions
{
    /// <summary>How long a token signed from <c>--key</c> lives: long enough for the request and
    /// its retries, short enough that one copied out of a process list is soon worthless.</summary>
    public static readonly TimeSpan SignedTokenLifetime = TimeSpan.FromMinutes(5);

    /// <param name="tokenDescription">What <c>--token</c> must allow.</param>
    /// <param name="signedFor">What a token signed from <c>--key</c> allows.</param>
    public PublisherTokenOptions(string tokenDescription, string signedFor)
    {
        Token = new Option<string?>("--token") { Description = tokenDescription };
        Key = new Option<string?>("--key") { Description = $"Sign a publisher token for {signedFor} with this key instead ('@FILE' reads it from FILE), as given to 'herald serve --key'." };
        Algorithm = new Option<string>("--algorithm") { Description = "The algorithm of --key: HS256 (default), HS384, HS512, RS256, ES256, ...", DefaultValueFactory = _ => "HS256" };
    }

    public Option<string?> Token { get; }

    public Option<string?> Key { get; }

    public Option<string> Algorithm { get; }

    /// <summary>Adds the options to <paramref name="command"/>, refusing both <c>--token</c> and <c>--key</c>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Token);
        command.Options.Add(Key);
        command.Options.Add(Algorithm);
        command.Validators.Add(result =>
        {
            if (result.GetValue(Token) is not null && result.GetValue(Key) is not null)
            {
                result.AddError("Pass --token or --key, not both.");
            }
        });
    }

    /// <summary>The token to send: <paramref name="token"/>, or, with a key, one signed for <paramref name="topics"/>.</summary>
    /// <exception cref="Exception">A key problem (see <see cref="TokenSigning.IsKeyProblem"/>).</exception>
    public static string? Resolve(string? token, string? key, string algorithm, IReadOnlyList<string> topics) => key is null
        ? token
        : TokenSigning.Create(key, algorithm, topics, subscribe: null, DateTimeOffset.UtcNow + SignedTokenLifetime);
}
