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

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
