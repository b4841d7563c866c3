namespace Herald.Server.Commands;

/// <summary>Where <c>herald serve</c> keeps the hub's history.</summary>
internal enum HistoryStore
{
    /// <summary>SQLite files under the data directory (<c>Herald:Sqlite</c>): the default.</summary>
    Sqlite,

    /// <summary>Memory only, lost at restart (<c>Herald:HistorySize</c> updates).</summary>
    Memory,

    /// <summary>A Redis stream shared with other nodes (<c>Herald:Redis</c>).</summary>
    Redis,
}
