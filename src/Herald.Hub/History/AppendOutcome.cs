namespace Herald.Hub.History;

/// <summary>What the log did with one update of a batch.</summary>
/// <param name="Sequence">The update's sequence: the new one, or for a duplicate the stored one's.</param>
/// <param name="Duplicate">Whether an update with the same id was already stored, so this one was
/// not stored again and must not be delivered again.</param>
public readonly record struct AppendOutcome(long Sequence, bool Duplicate);
