using System.Globalization;

namespace Herald.Client.ContractService;

/// <summary>The command line: <c>--port N</c> or <c>--port=N</c>, nothing else.</summary>
internal static class ServiceArguments
{
    public const int DefaultPort = 8000;

    public static bool TryParsePort(string[] args, out int port)
    {
        port = DefaultPort;
        for (int i = 0; i < args.Length; i++)
        {
            string? value = args[i] switch
            {
                "--port" when i + 1 < args.Length => args[++i],
                var arg when arg.StartsWith("--port=", StringComparison.Ordinal) => arg["--port=".Length..],
                _ => null,
            };
            if (value is null || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
            {
                return false;
            }
        }

        return true;
    }
}
