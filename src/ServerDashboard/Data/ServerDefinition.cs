using ServerDashboard.Servers;

namespace ServerDashboard.Data;

/// <summary>A server the dashboard can run: stored in SQLite, edited through the UI and the REST API.</summary>
public sealed class ServerDefinition
{
    public int Id { get; set; }

    public required string Name { get; set; }

    /// <summary>argv: the program and its arguments. Never a shell string.</summary>
    public List<string> Command { get; set; } = [];

    /// <summary>Empty means the server's own directory, <c>&lt;dataDir&gt;/servers/&lt;id&gt;</c>.</summary>
    public string WorkingDirectory { get; set; } = "";

    public Dictionary<string, string> Environment { get; set; } = [];

    /// <summary>Keys of <see cref="Environment"/> whose values only Admins may see.</summary>
    public List<string> SecretEnvironmentKeys { get; set; } = [];

    public int? Port { get; set; }

    public bool RconEnabled { get; set; }

    public int? RconPort { get; set; }

    public string? RconPassword { get; set; }

    public StopMode StopMode { get; set; } = StopMode.SigTerm;

    public string StopCommand { get; set; } = "stop";

    public int StopTimeoutSeconds { get; set; } = 10;

    public RestartPolicy RestartPolicy { get; set; } = RestartPolicy.No;

    public int? MaxMemoryMb { get; set; }

    public int? MaxOpenFiles { get; set; }

    public int? CpuWarnPercent { get; set; }

    /// <summary>CPU quota of the server's cgroup, 100 = one core (enforced only with a cgroup).</summary>
    public int? MaxCpuPercent { get; set; }

    /// <summary>pids.max of the server's cgroup: processes and threads (enforced only with a cgroup).</summary>
    public int? MaxProcesses { get; set; }

    /// <summary>What happens when CPU or memory stays over its limit for the configured number of samples.</summary>
    public Servers.LimitAction LimitAction { get; set; } = Servers.LimitAction.Warn;

    /// <summary>
    /// Optional cap on the lines per second a hub subscriber (the browser console, a script) is sent; null = off.
    /// The file on disk and REST are never throttled.
    /// </summary>
    public int? BrowserLinesPerSecond { get; set; }

    public string? RunAsUser { get; set; }

    /// <summary>A regular expression; a console line matching it marks the server Running.</summary>
    public string? ReadyPattern { get; set; }

    /// <summary>Seconds to become ready before the start counts as failed; null: Dashboard:Monitoring:StartupTimeoutSeconds.</summary>
    public int? StartupTimeoutSeconds { get; set; }

    /// <summary>Restart the server when the health checks flag it Unhealthy.</summary>
    public bool RestartOnUnhealthy { get; set; }

    /// <summary>Extra log files to follow, relative to the working directory.</summary>
    public List<string> LogFiles { get; set; } = [];

    /// <summary>What a backup archives, relative to the server's directory; empty: the whole directory.</summary>
    public List<string> BackupPaths { get; set; } = [];

    /// <summary>Backups stop the server first and start it again after (unless a request says otherwise).</summary>
    public bool BackupStopServer { get; set; }

    public string Notes { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
