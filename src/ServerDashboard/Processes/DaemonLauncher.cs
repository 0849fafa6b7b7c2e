using Microsoft.Extensions.Logging;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes;

/// <summary>
/// Linux-only: starts a game server as a detached daemon (own session and process group, stdin from a FIFO,
/// stdout+stderr appended to its log file by the daemon itself) so it outlives the dashboard.
/// </summary>
public sealed class DaemonLauncher(
    ExecutableResolver resolver,
    LaunchCommandBuilder commandBuilder,
    Cgroups.CgroupManager cgroups,
    StdinFifo stdinFifo,
    ProcFs procFs,
    TimeProvider time,
    ILogger<DaemonLauncher> logger)
{
    private static readonly TimeSpan ExecSettleTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ExecSettlePoll = TimeSpan.FromMilliseconds(5);

    private readonly PosixSpawner _spawner = new();

    /// <param name="cancellationToken">Honoured until the spawn; after it the launch always completes.</param>
    /// <param name="hooks">
    /// <see cref="LaunchHooks.BeforeSpawn"/> runs once everything is resolved and nothing is spawned yet (the launch record is
    /// written there); <see cref="LaunchHooks.AfterSpawn"/> right after posix_spawn returned.
    /// </param>
    public async Task<LaunchedDaemon> LaunchAsync(DaemonSpec spec, CancellationToken cancellationToken, LaunchHooks? hooks = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (spec.Argv.Count == 0)
        {
            throw new DaemonLaunchException("the command is empty");
        }

        if (!Directory.Exists(spec.WorkingDirectory))
        {
            throw new DaemonLaunchException($"working directory '{spec.WorkingDirectory}' does not exist");
        }

        string workingDirectory = Path.GetFullPath(spec.WorkingDirectory);
        spec.Environment.TryGetValue("PATH", out string? childPath);
        string program = resolver.Resolve(spec.Argv[0], workingDirectory, childPath ?? Environment.GetEnvironmentVariable("PATH"));
        IReadOnlyList<string> programArgv = [program, .. spec.Argv.Skip(1)];
        IReadOnlyList<string> spawnedArgv = commandBuilder.Build(programArgv, spec.Limits, spec.RunAsUser,
            spec.Cgroup is { } cgroup ? cgroups.JoinPrefix(cgroup) : null);

        string logPath = Path.GetFullPath(spec.LogPath, workingDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        string fifoPath = Path.GetFullPath(spec.StdinFifoPath, workingDirectory);
        stdinFifo.Ensure(fifoPath);

        int pid;
        DateTimeOffset launchedAt;
        using (var log = OpenLog(logPath))
        {
            var request = new SpawnRequest(
                ExecutablePath: spawnedArgv[0],
                Argv: spawnedArgv,
                Environment: ToEnvp(spec.Environment),
                WorkingDirectory: workingDirectory,
                StdinFifoPath: fifoPath,
                LogPath: logPath,
                LogFd: (int)log.DangerousGetHandle());
            launchedAt = time.GetUtcNow();
            if (hooks?.BeforeSpawn is { } beforeSpawn)
            {
                await beforeSpawn(new LaunchPlan(programArgv, workingDirectory, program, logPath, fifoPath, launchedAt));
            }

            pid = _spawner.Spawn(request); // the child has its own copy of the fd; ours closes here
        }

        if (hooks?.AfterSpawn is { } afterSpawn)
        {
            await afterSpawn(pid);
        }

        // Our own unreaped child: its pid cannot be reused until we waitpid it, so this identity is reliable.
        ProcessIdentity identity = procFs.TryGetIdentity(pid)
            ?? throw new DaemonLaunchException($"pid {pid} vanished from /proc right after posix_spawn");
        // Not cancellable from here on: a spawned daemon must reach the caller (and its PID file), and this takes milliseconds.
        string exe = await WaitForRealProgramAsync(pid, program, CancellationToken.None);

        // The argv as configured (placeholders unexpanded), never the expanded one: {rconPassword} may be in it.
        logger.LogInformation(
            "Launched daemon pid {Pid}: {Exe} (cwd {Cwd}, log {LogPath}, stdin {Fifo}, argv [{Argv}])",
            pid, exe, workingDirectory, logPath, fifoPath, string.Join(", ", spec.DisplayArgv ?? [Path.GetFileName(program), $"({spec.Argv.Count - 1} arguments)"]));
        return new LaunchedDaemon(pid, identity, exe, programArgv, spawnedArgv, workingDirectory, logPath, fifoPath, launchedAt);
    }

    /// <summary>What will be spawned, resolved: what a launch record must remember before the spawn.</summary>
    public sealed record LaunchPlan(IReadOnlyList<string> ProgramArgv, string WorkingDirectory, string Program, string LogPath, string StdinFifoPath, DateTimeOffset At);

    /// <summary>Steps of a launch a caller takes part in (see <see cref="LaunchAsync"/>).</summary>
    public sealed record LaunchHooks(Func<LaunchPlan, Task>? BeforeSpawn = null, Func<int, Task>? AfterSpawn = null);

    /// <summary>prlimit/setpriv exec the program within milliseconds; poll /proc/&lt;pid&gt;/exe until it no longer names a wrapper.</summary>
    private async Task<string> WaitForRealProgramAsync(int pid, string program, CancellationToken cancellationToken)
    {
        long deadline = time.GetTimestamp() + (long)(ExecSettleTimeout.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            string? exe = procFs.TryReadExe(pid);
            // posix_spawn returns once the kernel switched the child to the new program, which is a moment before the
            // new argv is in place: wait until cmdline is readable too, so callers see the settled process.
            if (exe is not null && !commandBuilder.IsWrapper(exe) && procFs.TryReadCmdline(pid) is { Count: > 0 })
            {
                return StripDeletedSuffix(exe);
            }

            if (exe is null || time.GetTimestamp() > deadline)
            {
                // exe is unreadable once the process is a zombie: it exited before we looked (the exit is recorded later).
                // /proc/<pid>/exe will name the program with every symlink resolved (sh → /usr/bin/dash): record that, or
                // a dashboard restart would find "ProgramChanged" and drop a daemon that is exactly what we started.
                string resolved = LinuxNative.RealPath(program) ?? program;
                logger.LogWarning(
                    "Daemon pid {Pid} {What}; recording {Program} as its executable (see its log for details)",
                    pid, exe is null ? "exited right after launch" : $"is still running wrapper {exe} after {ExecSettleTimeout.TotalSeconds:0}s", resolved);
                return resolved;
            }

            await Task.Delay(ExecSettlePoll, time, cancellationToken);
        }
    }

    /// <summary>console.log, opened here (never through a link, never outside its directory) and given to the child.</summary>
    private static Microsoft.Win32.SafeHandles.SafeFileHandle OpenLog(string logPath)
    {
        try
        {
            return SafeFileOpener.Open(Path.GetDirectoryName(logPath)!, logPath, SafeOpenMode.AppendCreate);
        }
        catch (IOException ex)
        {
            throw new DaemonLaunchException($"cannot open the console log: {ex.Message}", ex);
        }
    }

    // After the binary is replaced on disk (an update), the kernel appends " (deleted)" to the link target.
    internal static string StripDeletedSuffix(string exe) =>
        exe.EndsWith(" (deleted)", StringComparison.Ordinal) ? exe[..^" (deleted)".Length] : exe;

    private static List<string> ToEnvp(IReadOnlyDictionary<string, string> environment)
    {
        var envp = new List<string>(environment.Count);
        foreach ((string key, string value) in environment)
        {
            if (key.Length == 0 || key.Contains('='))
            {
                throw new DaemonLaunchException($"invalid environment variable name '{key}'");
            }

            envp.Add($"{key}={value}");
        }

        return envp;
    }
}
