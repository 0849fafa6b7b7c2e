namespace ServerDashboard.Processes.Cgroups;

public enum CgroupVersion
{
    None,
    V1,
    V2,
}

/// <summary>What this host lets the dashboard do with cgroups, found once at start.</summary>
/// <param name="Reason">Why there are none (shown on server pages and logged once).</param>
/// <param name="Base">v2: the absolute directory our subtree lives in. v1: null (one directory per controller under the root).</param>
public sealed record CgroupSupport(CgroupVersion Version, string? Reason, string? Cgexec, string? Base = null)
{
    public bool Available => Version != CgroupVersion.None;

    /// <summary>"enforced by cgroup v1" or "not enforced: ...", as the server page shows it.</summary>
    public string Describe() => Version switch
    {
        CgroupVersion.V1 => "enforced by cgroup v1",
        CgroupVersion.V2 => "enforced by cgroup v2",
        _ => "not enforced: " + Reason,
    };

    public static CgroupSupport None(string reason) => new(CgroupVersion.None, reason, null);
}

/// <summary>One server's cgroup: its name under the hierarchy root(s) and the directories that hold it.</summary>
/// <param name="Name">Relative to each hierarchy's root, e.g. <c>serverdashboard/42</c> (v2: relative to the mount).</param>
/// <param name="Directories">v1: one per controller (memory, cpu, cpuacct, pids); v2: one.</param>
public sealed record ServerCgroup(CgroupVersion Version, string Name, IReadOnlyList<string> Directories);
