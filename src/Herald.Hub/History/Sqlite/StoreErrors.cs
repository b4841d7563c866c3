using Microsoft.Data.Sqlite;

namespace Herald.Hub.History.Sqlite;

/// <summary>Turns what SQLite and the file system say when a store cannot be opened into a
/// <see cref="HeraldStoreException"/> that names the file and what to do.</summary>
internal static class StoreErrors
{
    // SQLite primary result codes (https://www.sqlite.org/rescode.html).
    private const int Perm = 3;
    private const int Busy = 5;
    private const int Locked = 6;
    private const int ReadOnly = 8;
    private const int IOError = 10;
    private const int Corrupt = 11;
    private const int Full = 13;
    private const int CantOpen = 14;
    private const int NotADatabase = 26;

    public static HeraldStoreException FromSqlite(SqliteException exception, string path) => exception.SqliteErrorCode switch
    {
        Busy or Locked => new HeraldStoreException(
            $"The Herald store '{path}' is locked by another connection or process ({exception.Message}). Stop whatever holds it (another Herald hub, or a tool with an open transaction on the file) and start again.",
            exception),
        NotADatabase => new HeraldStoreException(
            $"'{path}' is not a SQLite database ({exception.Message}): it is damaged or not a Herald store. Restore it from a backup, or move it away to start an empty store; Herald never overwrites it.",
            exception),
        Corrupt => new HeraldStoreException(
            $"The Herald store '{path}' is corrupt ({exception.Message}). Restore it from a backup, or move it away to start an empty store; Herald never resets it by itself.",
            exception),
        Perm or ReadOnly or CantOpen or IOError or Full => new HeraldStoreException(
            $"The Herald store '{path}' cannot be opened for writing ({exception.Message}). Check that its directory exists, that the hub's user may read and write the directory and the file, and that the disk has room.",
            exception),
        _ => new HeraldStoreException($"The Herald store '{path}' cannot be opened ({exception.Message}).", exception),
    };

    public static HeraldStoreException DirectoryUnusable(string directory, Exception exception) => new(
        $"The Herald data directory '{directory}' cannot be created or written ({exception.Message}). Check the path (Herald:Sqlite:DataDirectory) and that the hub's user may write there.",
        exception);

    public static HeraldStoreException InUse(string lockPath, Exception exception) => new(
        $"The Herald data directory is in use: '{lockPath}' is locked by another Herald hub ({exception.Message}). Stop that hub, or give this one another data directory (Herald:Sqlite:DataDirectory).",
        exception);
}
