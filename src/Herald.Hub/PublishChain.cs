namespace Herald.Hub;

/// <summary>
/// Batches that must be stored without a gap, such as one token stream's: each is handed to the
/// hub without waiting for the one before it to be stored, and once one fails the hub refuses
/// every later batch of the chain, so nothing is ever stored after a batch that was not.
/// </summary>
internal sealed class PublishChain
{
    private volatile bool _broken;

    /// <summary>Whether a batch of the chain failed; the hub's writer sets it, in publish order.</summary>
    public bool IsBroken => _broken;

    /// <summary>Marks the chain broken: a batch of it was not stored.</summary>
    public void Break() => _broken = true;
}
