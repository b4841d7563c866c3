namespace Herald.Server.Doctor;

/// <summary>One line of the doctor's report: what was checked, what it saw, and for advice and
/// problems the fix.</summary>
internal sealed record DoctorFinding(DoctorSeverity Severity, string Check, string Observed, string? Fix = null);
