namespace Herald.Hub.History;

/// <summary>An update as the log holds it: with the sequence that orders it.</summary>
/// <param name="Sequence">Its position in the log.</param>
/// <param name="Update">The update.</param>
public readonly record struct LoggedUpdate(long Sequence, Update Update);
