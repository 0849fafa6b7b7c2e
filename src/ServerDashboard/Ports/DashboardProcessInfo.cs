using ServerDashboard.Processes;

namespace ServerDashboard.Ports;

/// <summary>
/// Who the dashboard itself is, for the refusals of <see cref="PortFreer"/> (never itself, never its parent, never another
/// user's process unless it runs as root). A record so tests can pose as an unprivileged dashboard.
/// </summary>
public sealed record DashboardProcessInfo(int Pid, int ParentPid, int Uid)
{
    public bool IsRoot => Uid == 0;

    public static DashboardProcessInfo Current(ProcFs procFs)
    {
        int pid = Environment.ProcessId;
        return new DashboardProcessInfo(pid, procFs.TryReadStat(pid)?.ParentPid ?? 0, procFs.TryReadUid(pid) ?? -1);
    }
}
