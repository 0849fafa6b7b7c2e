namespace ServerDashboard.Servers.Monitoring;

/// <summary>"Dashboard:Monitoring": the per-tick health checks and resource history (docs/configuration.md).</summary>
public sealed class MonitoringOptions
{
    public const string SectionName = "Dashboard:Monitoring";

    /// <summary>Health checks and resource sampling run at all (DAEMON_ENABLE_MONITORING). Exits are followed regardless.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Seconds between ticks; one /proc pass per tick serves every server (DAEMON_MONITORING_INTERVAL).</summary>
    public int IntervalSeconds { get; set; } = 5;

    /// <summary>Seconds a Starting server may take to print its ready line before it is stopped and put in Error
    /// (DAEMON_STARTUP_TIMEOUT); a definition's own startupTimeoutSeconds wins.</summary>
    public int StartupTimeoutSeconds { get; set; } = 30;

    /// <summary>Consecutive failed checks before a Running server is flagged Unhealthy.</summary>
    public int UnhealthyAfterChecks { get; set; } = 3;

    /// <summary>
    /// The RCON health check's command, sent on the server's kept-open RCON connection (any reply counts: the server
    /// authenticated us and answered). Empty: authenticate only, on a fresh connection each check.
    /// </summary>
    public string RconCheckCommand { get; set; } = "list";

    public ResourceHistoryOptions History { get; set; } = new();

    public CrashRecordOptions Crashes { get; set; } = new();
}

/// <summary>"Dashboard:Monitoring:History": stored samples and their downsampling.</summary>
public sealed class ResourceHistoryOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Samples are kept at full resolution (one per tick) this long.</summary>
    public int FullResolutionHours { get; set; } = 24;

    /// <summary>Then as 1-minute averages this long.</summary>
    public int MinuteAveragesDays { get; set; } = 7;

    /// <summary>Then as 1-hour averages this long; older data is pruned.</summary>
    public int HourAveragesDays { get; set; } = 90;
}

/// <summary>"Dashboard:Monitoring:Crashes": crash records kept per server.</summary>
public sealed class CrashRecordOptions
{
    public int RetentionPerServer { get; set; } = 100;

    /// <summary>Console lines stored with each crash.</summary>
    public int LastLines { get; set; } = 50;
}
