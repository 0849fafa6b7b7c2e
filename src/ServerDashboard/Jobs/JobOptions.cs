namespace ServerDashboard.Jobs;

/// <summary>"Dashboard:Jobs": where job files live and how jobs are watched and cancelled.</summary>
public sealed class JobOptions
{
    public const string SectionName = "Dashboard:Jobs";

    /// <summary>The PID directory: <c>&lt;name&gt;.pid</c>, <c>.status</c>, <c>.log</c>. Default <c>&lt;dataDir&gt;/jobs</c>.</summary>
    public string? PidDirectory { get; set; }

    /// <summary>SIGTERM → this many seconds → SIGKILL, when a cancel names no timeout.</summary>
    public int DefaultCancelTimeoutSeconds { get; set; } = 30;

    /// <summary>How often running jobs are checked (exit, progress lines, requests from the CLI).</summary>
    public double PollIntervalSeconds { get; set; } = 0.5;

    /// <summary>Archived runs kept under <c>history/</c>; older ones are deleted.</summary>
    public int HistoryKeep { get; set; } = 200;

    /// <summary>Lines of log kept in a finished run's record (<c>log_tail</c>).</summary>
    public int HistoryLogTailLines { get; set; } = 50;

    /// <summary>Backups kept per server (the oldest are deleted after a backup).</summary>
    public int BackupRetention { get; set; } = 5;

    /// <summary>Where backups go: <c>&lt;dir&gt;/&lt;server&gt;/&lt;timestamp&gt;.tar.gz</c>. Default <c>&lt;dataDir&gt;/backups</c>.</summary>
    public string? BackupDirectory { get; set; }

    /// <summary>Console commands sent before a backup of a Minecraft-style RCON server (empty: none).</summary>
    public List<string> BackupPreCommands { get; set; } = ["save-off", "save-all flush"];

    /// <summary>Console commands sent after it.</summary>
    public List<string> BackupPostCommands { get; set; } = ["save-on"];
}
