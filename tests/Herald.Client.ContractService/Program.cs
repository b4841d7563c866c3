using Herald.Client.ContractService;

// The contract-test service: speaks the REST protocol of the SSE contract-test harness, driving
// one EventSourceClient per stream the harness creates. Usage: [--port N] (default 8000).
if (!ServiceArguments.TryParsePort(args, out int port))
{
    await Console.Error.WriteLineAsync("usage: Herald.Client.ContractService [--port N]   (N from 0 to 65535; default 8000)");
    return 2;
}

await using Microsoft.AspNetCore.Builder.WebApplication app = ContractServiceApp.Create(port);
await app.StartAsync();
Console.WriteLine($"contract-test service listening on {ContractServiceApp.Address(app)}");
await app.WaitForShutdownAsync();
return 0;
