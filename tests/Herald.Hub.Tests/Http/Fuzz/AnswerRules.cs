namespace Herald.Hub.Tests.Http.Fuzz;

/// <summary>What every answer to a hostile request must look like, over HTTP or in process.</summary>
internal static class AnswerRules
{
    public static readonly int[] PublishStatuses = [200, 400, 401, 403, 413, 415];

    public static readonly int[] SubscribeStatuses = [200, 204, 400, 401, 403, 503];

    /// <summary>An allowed status; a refusal says why in its body, unless Kestrel refused the
    /// request's framing (a 400 before the hub saw it, and the connection closed).</summary>
    public static void Check(HostileRequest request, HubAnswer answer, int[] allowed)
    {
        string where = $"\nRequest:\n{request}\nAnswer: {answer.Status} {answer.ContentType}\n{answer.Body}";
        Assert.True(allowed.Contains(answer.Status), $"status {answer.Status} is not one of {string.Join('/', allowed)}{where}");
        if (answer.Status is 200 or 204)
        {
            return;
        }

        bool kestrelRefusedFraming = answer.Status == 400 && answer.ClosedByServer && answer.Body.Length == 0;
        Assert.True(kestrelRefusedFraming || answer.Body.Trim().Length > 0, $"a {answer.Status} without a message{where}");
    }
}
