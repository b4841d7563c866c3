namespace Herald.Server.Doctor;

/// <summary>The diagnostics stream could not be read at all: the URL is unreachable, refused, or
/// not a Herald diagnostics stream. Its message says which, for a person.</summary>
internal sealed class DiagnosticsUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
