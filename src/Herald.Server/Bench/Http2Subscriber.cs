namespace Herald.Server.Bench;

/// <summary>A subscriber as one stream of an <see cref="Http2Connection"/>, which reads it.</summary>
internal sealed class Http2Subscriber : BenchSubscriber
{
    public Http2Subscriber(string path, int expectedEvents, ThreadLocal<ReceiveStats> stats, Action completed)
        : base(expectedEvents, stats, completed) => Path = path;

    /// <summary>The request's path and query.</summary>
    public string Path { get; }

    /// <summary>Whether the response head has come (or the stream was refused).</summary>
    public bool Answered { get; private set; }

    /// <summary>Why the stream was refused; null when it is open (or not answered yet).</summary>
    public string? Refusal { get; private set; }

    /// <summary>Records the answer: null for a 200, else the refusal.</summary>
    public void Answer(string? refusal)
    {
        Answered = true;
        Refusal = refusal;
    }

    /// <summary>Scans a DATA frame's payload.</summary>
    public void Receive(ReadOnlySpan<byte> data)
    {
        if (Refusal is null)
        {
            Deliver(data);
        }
    }

    /// <summary>The stream ended (or its connection did) before the run was over.</summary>
    public void End()
    {
        if (Refusal is null)
        {
            Ended();
        }
    }
}
