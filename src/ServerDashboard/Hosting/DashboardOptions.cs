namespace ServerDashboard.Hosting;

/// <summary>The "Dashboard" configuration section.</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>Holds everything the dashboard writes. Relative paths are resolved against the working directory.</summary>
    public string DataDirectory { get; set; } = "./data";

    public AdminOptions Admin { get; set; } = new();

    /// <summary>When true, stopping the dashboard also stops the servers it runs (default: they keep running).</summary>
    public bool StopServersOnShutdown { get; set; }

    /// <summary>Where static assets are served from; defaults to the wwwroot beside the binaries.</summary>
    public string? WebRoot { get; set; }

    public LoginThrottleOptions LoginThrottle { get; set; } = new();

    /// <summary>The dashboard's own log: format and retention (see <see cref="SerilogSetup"/>).</summary>
    public LoggingOptions Logging { get; set; } = new();

    public string ResolveDataDirectory() => Path.GetFullPath(DataDirectory);
}

public sealed class AdminOptions
{
    /// <summary>Password of the first-run <c>admin</c> account; generated and printed once when unset.</summary>
    public string? InitialPassword { get; set; }
}

public sealed class LoginThrottleOptions
{
    /// <summary>Failed logins allowed per client address within <see cref="WindowSeconds"/>.</summary>
    public int MaxFailures { get; set; } = 10;

    public int WindowSeconds { get; set; } = 300;
}
