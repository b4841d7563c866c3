using Herald.ChatDemo;

WebApplication app = ChatDemoApp.Build(args);
await app.StartAsync();
foreach (string address in ChatDemoApp.Addresses(app))
{
    Console.WriteLine($"Herald chat demo: open {address}/ in a browser (Ctrl+C stops it).");
}

await app.WaitForShutdownAsync();
