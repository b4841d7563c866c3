namespace Herald.Server.Commands;

/// <summary>
/// The settings of <c>herald serve</c> itself, beside the hub's: the <c>Herald:Server</c> section
/// of the configuration file or the environment (<c>HERALD__SERVER__PORT</c>). A flag given on the
/// command line wins over them.
/// </summary>
internal sealed class ServeSettings
{
    /// <summary>The configuration section they are read from.</summary>
    public const string SectionName = "Herald:Server";

    /// <summary>The IP address to listen on.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The port to listen on; 0 picks a free one.</summary>
    public int Port { get; set; } = 8080;

    /// <summary>A port for cleartext HTTP/2 with prior knowledge, or none.</summary>
    public int? H2cPort { get; set; }

    /// <summary>Where the history lives.</summary>
    public HistoryStore Store { get; set; } = HistoryStore.Sqlite;
}
