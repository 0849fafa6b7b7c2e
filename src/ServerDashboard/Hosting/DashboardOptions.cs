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

    public ReverseProxyOptions ReverseProxy { get; set; } = new();

    public SecurityOptions Security { get; set; } = new();

    public RateLimitOptions RateLimits { get; set; } = new();

    public AuditOptions Audit { get; set; } = new();

    /// <summary>"Dashboard:Memory": memory given back to the host after a burst of work (<see cref="MemoryTrimmer"/>).</summary>
    public MemoryTrimOptions Memory { get; set; } = new();

    /// <summary>"Dashboard:Processes": where PID files live and how servers are launched.</summary>
    public ProcessSettings Processes { get; set; } = new();

    /// <summary>"Dashboard:Cgroups": a cgroup per server where the host allows it (docs/processes.md, Isolation).</summary>
    public Processes.Cgroups.CgroupOptions Cgroups { get; set; } = new();

    /// <summary>"Dashboard:ServerDefaults": limits pre-filled in new definitions (every template of the new-server form).</summary>
    public ServerDefaultsOptions ServerDefaults { get; set; } = new();

    public string ResolveDataDirectory() => Path.GetFullPath(DataDirectory);
}

public sealed class ProcessSettings
{
    /// <summary>PID files, launch records and stdin FIFOs (DAEMON_PID_DIRECTORY). Default <c>&lt;DataDirectory&gt;/run</c>; a
    /// relative path is resolved against the data directory. Created 0700; must not be a symlink or another user's.</summary>
    public string? PidDirectory { get; set; }

    /// <summary><c>posix_spawn</c> (default) or <c>double_fork</c> (DAEMON_MODE). Both launch the same way: one posix_spawn with
    /// setsid already gives what a double fork is for (see docs/processes.md), so double_fork is accepted as an alias.</summary>
    public string LaunchMode { get; set; } = ProcessLaunchModes.PosixSpawn;

    /// <summary>PID files on disk (DAEMON_ENABLE_PERSISTENCE). Always on: they are how servers survive a dashboard restart.</summary>
    public bool Persistence { get; set; } = true;
}

public sealed class ServerDefaultsOptions
{
    /// <summary>Pre-fills <c>limits.maxMemoryMb</c> of a new definition (DAEMON_MAX_MEMORY_MB).</summary>
    public int? MaxMemoryMb { get; set; }

    /// <summary>Pre-fills the CPU % warning threshold <c>limits.cpuWarnPercent</c> of a new definition (DAEMON_MAX_CPU_PERCENT; 100 = one core).</summary>
    public int? MaxCpuPercent { get; set; }

    /// <summary>Pre-fills <c>limits.maxOpenFiles</c> of a new definition (DAEMON_MAX_OPEN_FILES).</summary>
    public int? MaxOpenFiles { get; set; }
}

public sealed class AdminOptions
{
    /// <summary>Password of the first-run <c>admin</c> account; generated and printed once when unset.</summary>
    public string? InitialPassword { get; set; }
}

public sealed class LoginThrottleOptions
{
    /// <summary>Failed logins allowed per (user name, client address) within <see cref="WindowSeconds"/>.</summary>
    public int MaxFailures { get; set; } = 5;

    /// <summary>Failed logins allowed per client address, whatever the user names, within <see cref="WindowSeconds"/> (password spraying).</summary>
    public int MaxFailuresPerAddress { get; set; } = 20;

    public int WindowSeconds { get; set; } = 300;
}

/// <summary>"Dashboard:ReverseProxy": which proxies' X-Forwarded-For/-Proto/-Host headers are believed. Empty: none.</summary>
public sealed class ReverseProxyOptions
{
    /// <summary>Proxy addresses, e.g. "127.0.0.1" or "::1".</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. "10.0.0.0/8".</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public bool Enabled => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}

/// <summary>"Dashboard:Security".</summary>
public sealed class SecurityOptions
{
    /// <summary>When the dashboard runs as root, a server without a run-as user is a validation error (default: a warning).</summary>
    public bool RequireRunAsUser { get; set; }

    /// <summary>How often an open page (Blazor circuit) re-checks its user's security stamp; a demoted or deleted user loses rights then.</summary>
    public double RevalidationMinutes { get; set; } = 1;

    /// <summary>Concurrent hub streams (log and status subscriptions) per user or API key.</summary>
    public int MaxStreamsPerUser { get; set; } = 20;
}

/// <summary>"Dashboard:RateLimits": requests per second per user or API key, by endpoint class (token buckets).</summary>
public sealed class RateLimitOptions
{
    /// <summary>Reads (GET) of status, servers, processes, audit: a script polling 20 times a second stays well below.</summary>
    public int ReadsPerSecond { get; set; } = 100;

    /// <summary>Log reads (<c>/logs</c>, downloads).</summary>
    public int LogReadsPerSecond { get; set; } = 100;

    /// <summary>Power actions, console commands, cleanup, definition changes.</summary>
    public int ActionsPerSecond { get; set; } = 10;

    /// <summary>How many requests beyond the rate a burst may borrow (bucket size = rate + burst).</summary>
    public int Burst { get; set; } = 0;
}

/// <summary>"Dashboard:Audit".</summary>
public sealed class AuditOptions
{
    /// <summary>Entries older than this are deleted by a daily cleanup.</summary>
    public int RetentionDays { get; set; } = 180;
}
