namespace Herald.Server.Doctor;

/// <summary>How much a finding of <c>herald doctor</c> matters.</summary>
internal enum DoctorSeverity
{
    /// <summary>As it should be.</summary>
    Ok,

    /// <summary>Worth knowing; nothing to fix.</summary>
    Note,

    /// <summary>Works, but a setting would make it better; does not fail the verdict.</summary>
    Advice,

    /// <summary>Breaks or delays delivery: the verdict fails (exit 1).</summary>
    Problem,
}
