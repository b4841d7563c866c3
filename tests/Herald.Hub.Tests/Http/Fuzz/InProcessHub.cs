using System.Text;
using Herald.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Hub.Tests.Http.Fuzz;

/// <summary>
/// Runs requests through the very handler <c>MapHerald</c> mapped for the hub's path (found in the
/// app's endpoints, not built again), with the request in memory instead of on a socket. Only
/// Kestrel's framing is left out, which is what makes 100,000 cases cheap; the HTTP tests cover
/// the framing with fewer cases. A subscriber whose stream opens is treated as a client that
/// leaves at once: the first byte written aborts the request.
/// </summary>
internal sealed class InProcessHub(HubHost host)
{
    public const string HubPath = "/.well-known/mercure";

    private readonly RequestDelegate _publish = HandlerOf(host, "POST");
    private readonly RequestDelegate _subscribe = HandlerOf(host, "GET");

    public async Task<HubAnswer> SendAsync(HostileRequest hostile)
    {
        var context = new DefaultHttpContext { RequestServices = host.Services };
        HttpRequest request = context.Request;
        request.Method = hostile.Method;
        request.Protocol = "HTTP/1.1";
        request.Scheme = "http";
        request.Host = new HostString(host.BaseAddress.Authority);
        request.Path = HubPath;
        request.QueryString = new QueryString("?" + hostile.Query);
        foreach ((string name, string value) in hostile.Headers)
        {
            request.Headers.Append(name, value);
        }

        request.Body = new MemoryStream(hostile.Body, writable: false);
        using var aborted = new CancellationTokenSource();
        context.RequestAborted = aborted.Token;
        var body = new ClientThatLeaves(aborted, context.Response);
        context.Response.Body = body;

        await (hostile.Method == "GET" ? _subscribe : _publish)(context);
        if (!aborted.IsCancellationRequested)
        {
            await context.Response.CompleteAsync();
        }

        return new HubAnswer(context.Response.StatusCode, context.Response.ContentType, Encoding.UTF8.GetString(body.ToArray()), ClosedByServer: false);
    }

    private static RequestDelegate HandlerOf(HubHost host, string method) =>
        host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Single(e => e.RoutePattern.RawText?.TrimEnd('/') == HubPath
                && e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(method) == true)
            .RequestDelegate!;

    /// <summary>A response body that keeps what is written and, once an event stream has opened,
    /// leaves (aborts the request), as a subscriber that goes away.</summary>
    private sealed class ClientThatLeaves(CancellationTokenSource aborted, HttpResponse response) : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            base.Write(buffer);
            Leave();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            base.Write(buffer, offset, count);
            Leave();
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            base.Write(buffer.Span);
            Leave();
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        private void Leave()
        {
            if (response.ContentType == "text/event-stream")
            {
                aborted.Cancel();
            }
        }
    }
}

/// <summary>What the hub answered: status, content type and body (for a stream, what was written
/// before the client left), and whether the server closed the connection without an answer of
/// the hub's own (Kestrel refusing the request's framing).</summary>
internal sealed record HubAnswer(int Status, string? ContentType, string Body, bool ClosedByServer);
