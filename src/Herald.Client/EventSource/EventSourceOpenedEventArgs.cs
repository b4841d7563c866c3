using System.Net.Http.Headers;

namespace Herald.Client;

/// <summary>Data of <see cref="EventSourceClient.Opened"/>: a connection now delivers the event stream.</summary>
public sealed class EventSourceOpenedEventArgs : EventArgs
{
    internal EventSourceOpenedEventArgs(Uri url, HttpResponseHeaders headers, string lastEventId)
    {
        Url = url;
        Headers = headers;
        LastEventId = lastEventId;
    }

    /// <summary>The URL that answered, after any redirects.</summary>
    public Uri Url { get; }

    /// <summary>The response headers (a Herald hub says in <c>Last-Event-ID</c> where its replay starts).</summary>
    public HttpResponseHeaders Headers { get; }

    /// <summary>The <c>Last-Event-ID</c> the request sent; empty when it sent none.</summary>
    public string LastEventId { get; }
}
