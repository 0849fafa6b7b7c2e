namespace ServerDashboard.Ports;

/// <summary>"Dashboard:Ports".</summary>
public sealed class PortsOptions
{
    public const string SectionName = "Dashboard:Ports";

    /// <summary>
    /// At start-up, free the managed ports held by leftovers of the servers the dashboard manages (same command line and
    /// working directory as the server's definition, not a running server of ours). Default: only report them.
    /// </summary>
    public bool CleanupOnStartup { get; set; }

    /// <summary>Seconds a leftover gets after SIGTERM before SIGKILL during start-up cleanup.</summary>
    public int CleanupGraceSeconds { get; set; } = 5;
}
