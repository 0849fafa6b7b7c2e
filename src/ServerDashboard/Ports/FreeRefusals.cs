using ServerDashboard.Processes;

namespace ServerDashboard.Ports;

/// <summary>The processes <see cref="PortFreer"/> never signals, with the reason it gives.</summary>
public sealed class FreeRefusals(DashboardProcessInfo self, ProcFs procFs)
{
    /// <summary>Null when <paramref name="owner"/> may be signalled; else why not.</summary>
    public string? ReasonToRefuse(PortOwnerInfo owner)
    {
        if (owner.Pid == 1)
        {
            return $"pid 1 ({owner.ProcessName}) is the init process: stopping it would bring the whole machine down";
        }

        if (owner.Pid == self.Pid)
        {
            return $"pid {owner.Pid} is the dashboard itself";
        }

        if (owner.Pid == self.ParentPid)
        {
            return $"pid {owner.Pid} ({owner.ProcessName}) is the dashboard's parent (its supervisor or shell)";
        }

        if (procFs.IsKernelThread(owner.Pid))
        {
            return $"pid {owner.Pid} ({owner.ProcessName}) is a kernel thread";
        }

        if (!self.IsRoot && owner.Uid != self.Uid)
        {
            return $"pid {owner.Pid} ({owner.ProcessName}) belongs to user {owner.User ?? "unknown"}, and the dashboard (uid {self.Uid}) is not root";
        }

        return null;
    }
}
