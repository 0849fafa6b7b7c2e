namespace ServerDashboard.Processes.Cgroups;

/// <summary>"Dashboard:Cgroups" (in <see cref="ProcessOptions.Cgroups"/>): a cgroup per server (docs/processes.md, "Isolation").</summary>
public sealed class CgroupOptions
{
    /// <summary>False: never use cgroups (limits fall back to rlimits, trees to process group and session).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where cgroupfs is mounted.</summary>
    public string Root { get; set; } = "/sys/fs/cgroup";

    /// <summary>Our subtree: servers live in <c>&lt;subtree&gt;/&lt;instance&gt;/&lt;server id&gt;</c>, the instance named after the data
    /// directory (two dashboards on one host never share a cgroup). Nothing outside it is ever touched.</summary>
    public string Subtree { get; set; } = "serverdashboard";
}
