using System.Reflection;

namespace ServerDashboard.Processes;

/// <summary>Options for the Processes module; bound by the caller (e.g. from the "Processes" configuration section).</summary>
public sealed class ProcessOptions
{
    /// <summary>The dashboard's data directory. PID files live in <c>&lt;DataDirectory&gt;/run</c>.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>
    /// False (default): daemons keep running when the dashboard stops and are re-adopted on its next start.
    /// True: the supervisor stops every server at shutdown, each by its own stop mode and timeout.
    /// </summary>
    public bool StopServersOnShutdown { get; set; }

    /// <summary>A cgroup per server where the host allows it.</summary>
    public Cgroups.CgroupOptions Cgroups { get; set; } = new();

    /// <summary>
    /// How often exits of daemons the pidfd watcher does not cover are checked (waitpid for our children, pidfd poll for
    /// adopted daemons); while it covers every live daemon the check is a safety net every 5 s.
    /// </summary>
    public TimeSpan ExitPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Load and validate PID files when the host starts, before the app serves requests.</summary>
    public bool LoadPidFilesOnStart { get; set; } = true;

    /// <summary>Written into PID and lock files; defaults to the app's informational version.</summary>
    public string DashboardVersion { get; set; } =
        typeof(ProcessOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    /// <summary>Where PID files live; default <c>&lt;DataDirectory&gt;/run</c>.</summary>
    public string? PidDirectory { get; set; }

    public string RunDirectory => string.IsNullOrEmpty(PidDirectory) ? Path.Combine(DataDirectory, "run") : PidDirectory;
}
