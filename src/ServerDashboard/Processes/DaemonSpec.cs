namespace ServerDashboard.Processes;

/// <summary>
/// Everything needed to start one detached daemon. <see cref="Environment"/> is passed exactly as given
/// (the caller builds a sanitized base). <see cref="Argv"/>[0] may be a bare name; it is resolved on the
/// PATH of <see cref="Environment"/> (or the dashboard's PATH if that has none).
/// </summary>
public sealed record DaemonSpec(
    IReadOnlyList<string> Argv,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    string LogPath,
    string StdinFifoPath,
    ResourceLimits Limits,
    string? RunAsUser = null)
{
    /// <summary>
    /// What logs show of the command: the argv as configured, placeholders unexpanded (argv may carry the RCON password).
    /// When null, logs show only the program's name and the argument count.
    /// </summary>
    public IReadOnlyList<string>? DisplayArgv { get; init; }

    /// <summary>The cgroup the process joins before exec (set by <see cref="DaemonManager"/>); null: none on this host.</summary>
    public Cgroups.ServerCgroup? Cgroup { get; init; }
}

/// <summary>Per-daemon limits; null means "inherit the dashboard's" (or unlimited).</summary>
/// <param name="MaxOpenFiles">RLIMIT_NOFILE (soft = hard), always an rlimit.</param>
/// <param name="MaxMemoryMb">With a cgroup: resident memory (and swap) of the whole tree. Without: RLIMIT_AS, virtual address
/// space per process, the only thing an rlimit offers (JVMs reserve far more than they use).</param>
/// <param name="MaxCpuPercent">CPU quota of the tree (100 = one core); needs a cgroup.</param>
/// <param name="MaxProcesses">Processes and threads of the tree (pids.max); needs a cgroup.</param>
public sealed record ResourceLimits(int? MaxOpenFiles = null, int? MaxMemoryMb = null, int? MaxCpuPercent = null, int? MaxProcesses = null)
{
    public bool IsEmpty => MaxOpenFiles is null && MaxMemoryMb is null && MaxCpuPercent is null && MaxProcesses is null;
}

/// <summary>A daemon that was started. <see cref="Exe"/> is the target of /proc/&lt;pid&gt;/exe once the wrappers have exec'd.</summary>
/// <param name="ProgramArgv">The program's own argv (argv[0] resolved to an absolute path): what /proc/&lt;pid&gt;/cmdline shows.</param>
/// <param name="SpawnedArgv">What was actually spawned, including any prlimit/setpriv prefix.</param>
public sealed record LaunchedDaemon(
    int Pid,
    ProcessIdentity Identity,
    string Exe,
    IReadOnlyList<string> ProgramArgv,
    IReadOnlyList<string> SpawnedArgv,
    string WorkingDirectory,
    string LogPath,
    string StdinFifoPath,
    DateTimeOffset LaunchedAt);

/// <summary>A daemon could not be started; the message says why in operator terms.</summary>
public sealed class DaemonLaunchException(string message, Exception? inner = null) : Exception(message, inner);
