using Microsoft.AspNetCore.Http;

namespace Herald.Testing;

/// <summary>One request as the <see cref="UpstreamFixtureServer"/> received it, and what became of it.</summary>
public sealed class UpstreamRequest
{
    private readonly TaskCompletionSource _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpContext _context;

    internal UpstreamRequest(int number, string method, string path, IReadOnlyDictionary<string, string> headers, string body, HttpContext context)
    {
        _context = context;
        Number = number;
        Method = method;
        Path = path;
        Headers = headers;
        Body = body;
        // Recorded as it happens: the context is recycled once the response ends.
        context.RequestAborted.Register(static state => ((TaskCompletionSource)state!).TrySetResult(), _aborted);
    }

    /// <summary>1 for the first request the server received, and so on.</summary>
    public int Number { get; }

    public string Method { get; }

    /// <summary>The path and query.</summary>
    public string Path { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The body as UTF-8 text.</summary>
    public string Body { get; }

    /// <summary>Completes when the client dropped the request before its response ended: a generation it stopped.</summary>
    public Task Aborted => _aborted.Task;

    /// <summary>Completes when the server is done with the request, answered in full or dropped.</summary>
    public Task Finished => _finished.Task;

    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;

    /// <summary>Breaks the connection of a held response, as a network failure or a crashed API would.</summary>
    public void Break()
    {
        if (!Finished.IsCompleted)
        {
            _context.Abort();
        }
    }

    internal void Finish() => _finished.TrySetResult();

    public override string ToString() => $"#{Number} {Method} {Path}";
}
