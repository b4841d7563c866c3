namespace Herald.Server.Doctor;

/// <summary>How the diagnostics stream ended for the doctor.</summary>
internal enum ProbeStreamEnd
{
    /// <summary>The script's final event arrived.</summary>
    Completed,

    /// <summary>The connection ended (cleanly or broken) before the final event.</summary>
    Cut,

    /// <summary>Nothing more arrived before the doctor's deadline, and the stream did not end.</summary>
    Stalled,
}
