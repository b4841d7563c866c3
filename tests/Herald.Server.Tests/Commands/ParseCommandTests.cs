using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Herald.Server.Commands;
using Herald.Sse;

namespace Herald.Server.Tests.Commands;

public sealed class ParseCommandTests : IDisposable
{
    private static readonly byte[] Capture = Encoding.UTF8.GetBytes(
        "\uFEFF: connected\nretry: 3000\nid: 1\nevent: add\ndata: a\ndata:  b\n\n: ping\ndata: é\0😀\n\nid: 2\n\ndata: unfinished");

    private static readonly string[] ExpectedEvents =
    [
        """{"type":"add","data":"a\n b","id":"1","retry":3000}""",
        // JSON escapes control characters, and characters outside the BMP as surrogate pairs.
        """{"type":"message","data":"é\u0000\uD83D\uDE00","id":"1"}""",
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("herald-parse-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_file_gives_one_JSON_line_per_dispatched_event()
    {
        (int exit, string output, string error) = await RunInProcess(WriteCapture(), comments: false);

        Assert.Equal(0, exit);
        Assert.Equal(ExpectedEvents, Lines(output));
        Assert.Empty(error);
    }

    [Fact]
    public async Task Comments_are_printed_in_stream_order_when_asked()
    {
        (int exit, string output, _) = await RunInProcess(WriteCapture(), comments: true);

        Assert.Equal(0, exit);
        Assert.Equal(["""{"comment":" connected"}""", ExpectedEvents[0], """{"comment":" ping"}""", ExpectedEvents[1]], Lines(output));
    }

    [Fact]
    public async Task Every_line_is_valid_JSON_that_round_trips_the_data()
    {
        (_, string output, _) = await RunInProcess(WriteCapture(), comments: false);

        using JsonDocument second = JsonDocument.Parse(Lines(output)[1]);
        Assert.Equal("é\0😀", second.RootElement.GetProperty("data").GetString());
        Assert.False(second.RootElement.TryGetProperty("retry", out _), "retry appears only when the event's block set one");
    }

    [Fact]
    public async Task A_missing_file_is_a_clear_error_with_exit_code_2()
    {
        string missing = Path.Combine(_directory, "missing.sse");
        (int exit, string output, string error) = await RunInProcess(missing, comments: false);

        Assert.Equal(ParseCommand.UnreadableInput, exit);
        Assert.Empty(output);
        Assert.Contains($"cannot read '{missing}'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_over_the_maximum_size_is_reported_with_exit_code_1_after_the_events_before_it()
    {
        string path = Path.Combine(_directory, "big.sse");
        await File.WriteAllTextAsync(path, "data: small\n\ndata: " + new string('x', 5000) + "\n\n");

        (int exit, string output, string error) = await RunInProcess(path, comments: false, new SseParserOptions { MaxEventSize = 1000 });

        Assert.Equal(ParseCommand.InvalidStream, exit);
        Assert.Equal(["""{"type":"message","data":"small","id":""}"""], Lines(output));
        Assert.Contains("maximum event size of 1,000 bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_herald_executable_reads_stdin()
    {
        (int exit, string output, string error) = await RunProcess(["parse"], Capture);

        Assert.True(exit == 0, error);
        Assert.Equal(ExpectedEvents, Lines(output));
    }

    [Fact]
    public async Task The_herald_executable_reads_a_file_and_fails_clearly_on_a_missing_one()
    {
        (int exit, string output, _) = await RunProcess(["parse", "--comments", WriteCapture()], []);
        Assert.Equal(0, exit);
        Assert.Equal(4, Lines(output).Length);

        (exit, output, string error) = await RunProcess(["parse", Path.Combine(_directory, "nope.sse")], []);
        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains("herald parse: cannot read", error, StringComparison.Ordinal);
    }

    private string WriteCapture()
    {
        string path = Path.Combine(_directory, "capture.sse");
        File.WriteAllBytes(path, Capture);
        return path;
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static async Task<(int Exit, string Output, string Error)> RunInProcess(string path, bool comments, SseParserOptions? options = null)
    {
        using var output = new MemoryStream();
        using var error = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int exit = await ParseCommand.RunAsync(path, comments, options ?? new SseParserOptions(), () => throw new InvalidOperationException("stdin is not used"), output, error, timeout.Token);
        return (exit, Encoding.UTF8.GetString(output.ToArray()), error.ToString());
    }

    /// <summary>Runs the built herald executable as a real process, feeding <paramref name="stdin"/>.</summary>
    private static async Task<(int Exit, string Output, string Error)> RunProcess(string[] args, byte[] stdin)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "herald.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.StandardInput.BaseStream.WriteAsync(stdin, timeout.Token);
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }
}
