namespace ServerDashboard.Processes;

/// <summary>
/// Who a process is, not just its number: a PID is reused after the process exits, but (boot id, pid, start time)
/// never repeats. Every signal the dashboard sends is preceded by a check of this identity.
/// </summary>
/// <param name="StartTime">Field 22 of /proc/&lt;pid&gt;/stat (clock ticks after boot).</param>
public sealed record ProcessIdentity(string BootId, int Pid, ulong StartTime);

/// <summary>Result of comparing a <see cref="ProcessIdentity"/> with what /proc shows now.</summary>
public enum IdentityStatus
{
    /// <summary>Same boot, same pid, same start time, not a zombie.</summary>
    Alive,
    /// <summary>No process with that pid.</summary>
    Gone,
    /// <summary>The process exited but has not been reaped by its parent yet.</summary>
    Zombie,
    /// <summary>The identity was taken before the last reboot.</summary>
    BootIdChanged,
    /// <summary>Another process now has the pid (PID reuse): it must never be signalled.</summary>
    StartTimeChanged,
}
