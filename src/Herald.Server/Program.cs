using System.CommandLine;
using Herald.Server.Commands;

var root = new RootCommand("herald: the Herald Server-Sent Events toolkit.")
{
    ServeCommand.Create(),
    ListenCommand.Create(),
    ParseCommand.Create(),
    PublishCommand.Create(),
    RelayCommand.Create(),
    TokenCommand.Create(),
    BenchCommand.Create(),
    DoctorCommand.Create(),
};

ParseResult parsed = root.Parse(args);

// `serve` leaves SIGTERM and Ctrl-C to the web host, whose graceful stop (the drain) runs for as
// long as its shutdown timeout allows; System.CommandLine would end the process 2 seconds after
// the signal, cutting the drain short.
var invocation = new InvocationConfiguration();
if (parsed.CommandResult.Command.Name == ServeCommand.Name)
{
    invocation.ProcessTerminationTimeout = null;
}

return await parsed.InvokeAsync(invocation).ConfigureAwait(false);
