namespace Herald.Hub.History.Sqlite;

/// <summary>
/// The durable history cannot be opened: the file is not a Herald store, is damaged, is locked by
/// another process, or cannot be written. The message names the file and what to do; Herald never
/// recreates or resets a store by itself, so nothing is lost by failing.
/// </summary>
public sealed class HeraldStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public HeraldStoreException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed, on which file, and what to do.</param>
    public HeraldStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure underneath.</summary>
    /// <param name="message">What failed, on which file, and what to do.</param>
    /// <param name="innerException">The failure of the file system or of SQLite.</param>
    public HeraldStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
