using ServerDashboard.Processes.Cgroups;

namespace ServerDashboard.Servers;

/// <summary>What this host enforces of a definition's limits, for the UI and API (Components never read Processes/).</summary>
public sealed class ServerIsolation(CgroupManager cgroups)
{
    /// <summary>"enforced by cgroup v1", "enforced by cgroup v2" or "not enforced: &lt;why&gt;".</summary>
    public string Describe() => cgroups.Support.Describe();

    public bool Enforced => cgroups.Support.Available;

    /// <summary>One line for a server page: which limits the kernel enforces here and how.</summary>
    public string Explain() => Enforced
        ? $"Memory, CPU and process limits are {Describe()} (one cgroup per server); open files by an rlimit."
        : $"Memory, CPU and process limits are {Describe()}. Memory is capped per process as address space (RLIMIT_AS), open files by an rlimit; CPU % and process counts are not enforced.";
}
