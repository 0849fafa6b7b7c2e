using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerDashboard.Processes.Native;

namespace ServerDashboard.Processes;

/// <summary>What to start: the daemon plus what the PID file should remember about the server.</summary>
public sealed record ServerStartRequest(
    string ServerId,
    string Name,
    DaemonSpec Spec,
    int? Port = null,
    int? RconPort = null,
    string? RconPassword = null);

public enum StopSignal
{
    SigTerm = LinuxNative.SIGTERM,
    SigInt = LinuxNative.SIGINT,
}

public enum StopOutcome
{
    /// <summary>Nothing to stop: no live daemon for the server.</summary>
    NotRunning,
    /// <summary>The group exited after the graceful request, within the timeout.</summary>
    Graceful,
    /// <summary>Something was still alive at the timeout: the group got SIGKILL.</summary>
    EscalatedToKill,
    /// <summary><see cref="DaemonManager.KillAsync"/>: SIGKILL at once.</summary>
    Killed,
    /// <summary>Members were still alive after SIGKILL (e.g. stuck in uninterruptible sleep); see the message.</summary>
    Failed,
}

/// <param name="Exit">The leader's exit; <see cref="ExitKind.Unknown"/> for an adopted daemon.</param>
/// <param name="StragglersKilled">Group/session members that outlived the leader and had to be SIGKILLed.</param>
public sealed record StopResult(string ServerId, StopOutcome Outcome, int? Pid, ExitStatus? Exit, TimeSpan Duration, int StragglersKilled, string Message);

/// <summary>The steps of <see cref="DaemonManager.StartAsync"/> a dashboard can die between (see docs/pid-file.md).</summary>
public enum StartPhase
{
    /// <summary>The launch record is on disk; nothing is spawned yet.</summary>
    LaunchRecordWritten,
    /// <summary>posix_spawn returned; the wrappers may not have exec'd the program yet.</summary>
    Spawned,
    /// <summary>The daemon runs the real program; its PID file is not written yet.</summary>
    Settled,
    /// <summary>The PID file is written; the launch record is not removed yet.</summary>
    PidFileWritten,
}

/// <summary>Linux-only: starts, stops and kills server daemons and keeps their PID files and the registry in step.</summary>
public sealed class DaemonManager(
    DaemonLauncher launcher,
    PidFileStore store,
    LaunchRecordReconciler reconciler,
    ProcFs procFs,
    ProcessRegistry registry,
    ProcessGroupSignaller signaller,
    Cgroups.CgroupManager cgroups,
    StopIntents stopIntents,
    TimeProvider time,
    IOptions<ProcessOptions> options,
    ILogger<DaemonManager> logger) : IServerLauncher
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan KillConfirmTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Test seam: called at each step of a start (<see cref="StartPhase"/>). A test makes it never return to freeze the
    /// "dashboard" at that instant, then starts a second one on the same data directory, as after a SIGKILL.
    /// </summary>
    internal Func<StartPhase, int?, Task>? PhaseHook { get; set; }

    /// <summary>
    /// Launches the daemon, writes its PID file and tracks it. Refuses if the server is already running. A launch record
    /// (with the marker the daemon carries in its environment) is durable before the spawn and replaced by the PID file
    /// after it, so a dashboard that dies at any instant in between finds the daemon at its next start
    /// (<see cref="LaunchRecordReconciler"/>).
    /// </summary>
    public async Task<TrackedProcess> StartAsync(ServerStartRequest request, CancellationToken cancellationToken)
    {
        if (registry.GetRunning(request.ServerId) is { } running)
        {
            throw new DaemonLaunchException($"server {request.ServerId} is already running (pid {running.Pid})");
        }

        string pidFilePath = store.PathFor(request.ServerId); // validates the id before anything is spawned
        if (store.LaunchRecordExists(request.ServerId))
        {
            // An earlier launch did not finish (the dashboard died, or a start is under way elsewhere): settle it first.
            reconciler.Reconcile(request.ServerId);
            if (registry.GetRunning(request.ServerId) is { } found)
            {
                throw new DaemonLaunchException($"server {request.ServerId} is already running (pid {found.Pid}, found by its launch record)");
            }
        }

        if (store.Exists(request.ServerId))
        {
            // GetRunning removed every stale file; one still here was refused or could not be verified, and may name a
            // live instance of this server. Starting a second one (and overwriting the file) is the operator's call.
            throw new DaemonLaunchException(
                $"server {request.ServerId} has a PID file that could not be verified ({pidFilePath}); see the log, and use ForceCleanup if its process is not this server");
        }

        store.EnsureRunDirectory();
        string launchId = LaunchMarker.NewId();
        var markedEnvironment = new Dictionary<string, string>(request.Spec.Environment, StringComparer.Ordinal) { [LaunchMarker.Variable] = launchId };
        ResourceLimits limits = request.Spec.Limits;
        // Made before the spawn, with its limits: the process joins it before its first instruction (cgexec execs in place).
        Cgroups.ServerCgroup? cgroup = cgroups.Create(request.ServerId, new Cgroups.CgroupLimits(limits.MaxMemoryMb, limits.MaxCpuPercent, limits.MaxProcesses));
        DaemonSpec spec = request.Spec with { Environment = markedEnvironment, Cgroup = cgroup };
        PidFileRecord Describe(int pid) => new()
        {
            Pid = pid,
            ServerId = request.ServerId,
            Name = request.Name,
            Port = request.Port,
            RconPort = request.RconPort,
            RconPassword = request.RconPassword,
            DashboardVersion = options.Value.DashboardVersion,
            BootId = procFs.BootId,
            LaunchId = launchId,
            Cgroup = cgroup?.Name,
        };

        var hooks = new DaemonLauncher.LaunchHooks(
            BeforeSpawn: async plan =>
            {
                store.WriteLaunchRecord(Describe(0) with
                {
                    Cmd = plan.ProgramArgv,
                    Cwd = plan.WorkingDirectory,
                    Exe = plan.Program,
                    CreatedAt = plan.At,
                    LogPath = plan.LogPath,
                    StdinPath = plan.StdinFifoPath,
                });
                await Phase(StartPhase.LaunchRecordWritten, null);
            },
            AfterSpawn: pid => Phase(StartPhase.Spawned, pid));

        LaunchedDaemon daemon;
        try
        {
            daemon = await launcher.LaunchAsync(spec, cancellationToken, hooks);
        }
        catch
        {
            // Nothing was spawned (posix_spawn failed or was never reached): the record describes no process.
            store.DeleteLaunchRecord(request.ServerId);
            if (cgroup is not null)
            {
                cgroups.TryRemove(cgroup);
            }

            throw;
        }

        await Phase(StartPhase.Settled, daemon.Pid);
        PidFileRecord record = Describe(daemon.Pid) with
        {
            Cmd = daemon.ProgramArgv,
            Cwd = daemon.WorkingDirectory,
            CreatedAt = daemon.LaunchedAt,
            ProcessStartTime = daemon.Identity.StartTime,
            BootId = daemon.Identity.BootId,
            Exe = daemon.Exe,
            LogPath = daemon.LogPath,
            StdinPath = daemon.StdinFifoPath,
        };

        try
        {
            store.Write(record);
        }
        catch (Exception e)
        {
            // A daemon without a PID file would be invisible after a dashboard restart: do not leave it running.
            logger.LogError("Could not write PID file {Path} for server {ServerId} (pid {Pid}): {Error}; killing the daemon",
                pidFilePath, request.ServerId, daemon.Pid, e.Message);
            TrackedProcess orphan = registry.TrackLaunched(daemon, record, cgroup);
            await KillEntryAsync(orphan, CancellationToken.None);
            store.DeleteLaunchRecord(request.ServerId);
            throw new DaemonLaunchException($"could not write the PID file for server {request.ServerId}: {e.Message}", e);
        }

        await Phase(StartPhase.PidFileWritten, daemon.Pid);
        store.DeleteLaunchRecord(request.ServerId);
        return registry.TrackLaunched(daemon, record, cgroup);
    }

    private Task Phase(StartPhase phase, int? pid) => PhaseHook?.Invoke(phase, pid) ?? Task.CompletedTask;

    /// <summary>
    /// Stops the server: asks gracefully (<paramref name="gracefulAction"/>, e.g. an RCON "stop", or else
    /// <paramref name="signal"/> to the whole process group), waits up to <paramref name="timeout"/> for the leader to exit
    /// and the group to empty, then SIGKILLs whatever is left (including members that moved to another group of the
    /// session). The PID file is removed.
    /// </summary>
    public async Task<StopResult> StopAsync(
        string serverId,
        StopSignal signal,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        Func<CancellationToken, Task>? gracefulAction = null)
    {
        TrackedProcess? entry = registry.GetRunning(serverId);
        if (entry is null)
        {
            return NotRunning(serverId);
        }

        long started = time.GetTimestamp();
        entry.StopRequested = true;
        // The stop is persisted in the PID file before anything is sent: a dashboard that dies mid-stop carries it on
        // at its next start, with the deadline of the original request (see PendingStop).
        (signal, TimeSpan remaining, bool resumed) = PersistStopIntent(entry, signal, timeout);
        logger.LogInformation("Stopping server {ServerId} (pid {Pid}) with {Method}, timeout {Timeout}s{Resumed}",
            serverId, entry.Pid, gracefulAction is null || resumed ? signal.ToString() : "its graceful action", remaining.TotalSeconds,
            resumed ? " (resuming a stop accepted before the dashboard restarted)" : "");
        if (resumed)
        {
            gracefulAction = null; // it may have been delivered already; the signal is idempotent
        }

        if (remaining <= TimeSpan.Zero)
        {
            logger.LogWarning("Server {ServerId} (pid {Pid}): the stop deadline passed while the dashboard was down; sending SIGKILL to its group",
                serverId, entry.Pid);
            return await KillEntryAsync(entry, cancellationToken, escalated: true, started);
        }

        bool askedGracefully = false;
        if (gracefulAction is not null)
        {
            try
            {
                await gracefulAction(cancellationToken);
                askedGracefully = true;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Graceful action for server {ServerId} (pid {Pid}) failed ({Error}); sending {Signal} instead",
                    serverId, entry.Pid, Text.LogText.Escape(e.Message), signal);
            }
        }

        if (!askedGracefully)
        {
            signaller.SignalGroup(entry, (int)signal);
        }

        bool graceful = await WaitUntilGoneAsync(entry, remaining - time.GetElapsedTime(started), cancellationToken);
        if (graceful)
        {
            await RemoveCgroupAsync(entry);
            return Finish(entry, StopOutcome.Graceful, started, stragglers: 0);
        }

        logger.LogWarning("Server {ServerId} (pid {Pid}) still running {Timeout}s after the stop request; sending SIGKILL to its group",
            serverId, entry.Pid, timeout.TotalSeconds);
        return await KillEntryAsync(entry, cancellationToken, escalated: true, started);
    }

    /// <summary>The stop a PID file says was accepted and not finished (a dashboard died mid-stop), or null.</summary>
    public static (StopSignal Signal, TimeSpan Timeout)? PendingStop(TrackedProcess entry) =>
        entry.Record.StopRequestedAt is null
            ? null
            : (entry.Record.StopSignal == (int)StopSignal.SigInt ? StopSignal.SigInt : StopSignal.SigTerm,
                TimeSpan.FromSeconds(entry.Record.StopTimeoutSeconds ?? 10));

    /// <summary>
    /// Records in the server's PID file that a stop was accepted, before the caller answers "accepted": from then on a
    /// dashboard that dies carries the stop on at its next start. False when the server is not running.
    /// </summary>
    public bool RecordStopIntent(string serverId, StopSignal signal, TimeSpan timeout)
    {
        TrackedProcess? entry = registry.GetRunning(serverId);
        if (entry is null)
        {
            return false;
        }

        PersistStopIntent(entry, signal, timeout);
        return true;
    }

    /// <summary>
    /// <see cref="RecordStopIntent"/> for many servers at once (shutdown-all): one durable stop-intent file for all of them
    /// (<see cref="StopIntents"/>) instead of a rewrite of every PID file. Returns how many were recorded; if the file
    /// cannot be written, each is written into its PID file as with a single stop (each failure logged).
    /// </summary>
    public int RecordStopIntents(IReadOnlyList<(string ServerId, StopSignal Signal, TimeSpan Timeout)> stops)
    {
        DateTimeOffset now = time.GetUtcNow();
        var pending = new List<(TrackedProcess Entry, PidFileRecord WithStop)>();
        foreach ((string serverId, StopSignal signal, TimeSpan timeout) in stops)
        {
            if (registry.GetRunning(serverId) is not { } entry || entry.Record.StopRequestedAt is not null)
            {
                continue; // not running, or a stop is already recorded (PersistStopIntent takes that one over)
            }

            pending.Add((entry, entry.Record with { StopRequestedAt = now, StopSignal = (int)signal, StopTimeoutSeconds = timeout.TotalSeconds }));
        }

        if (pending.Count <= 1)
        {
            foreach ((TrackedProcess entry, PidFileRecord withStop) in pending)
            {
                PersistStopIntent(entry, (StopSignal)withStop.StopSignal!.Value, TimeSpan.FromSeconds(withStop.StopTimeoutSeconds!.Value));
            }

            return pending.Count;
        }

        try
        {
            stopIntents.Record(pending, now);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not record {Count} stops in one file ({Error}); writing them one by one", pending.Count, e.Message);
            foreach ((TrackedProcess entry, PidFileRecord withStop) in pending)
            {
                PersistStopIntent(entry, (StopSignal)withStop.StopSignal!.Value, TimeSpan.FromSeconds(withStop.StopTimeoutSeconds!.Value));
            }

            return pending.Count;
        }

        foreach ((TrackedProcess entry, PidFileRecord withStop) in pending)
        {
            entry.Record = withStop;
            entry.StopIntentIsOurs = true;
        }

        return pending.Count;
    }

    /// <summary>Writes the stop request into the PID file, or takes over the one already there. Returns what is left of the timeout.</summary>
    private (StopSignal Signal, TimeSpan Remaining, bool Resumed) PersistStopIntent(TrackedProcess entry, StopSignal signal, TimeSpan timeout)
    {
        if (entry.Record.StopRequestedAt is { } requestedAt && PendingStop(entry) is { } pending)
        {
            return (pending.Signal, pending.Timeout - (time.GetUtcNow() - requestedAt), !entry.StopIntentIsOurs);
        }

        PidFileRecord withStop = entry.Record with
        {
            StopRequestedAt = time.GetUtcNow(),
            StopSignal = (int)signal,
            StopTimeoutSeconds = timeout.TotalSeconds,
        };
        try
        {
            // Only if the file still names this daemon (a legacy or refused file is left alone).
            if (store.Read(entry.ServerId).Record?.Pid == entry.Pid)
            {
                store.Write(withStop);
            }

            entry.Record = withStop;
            entry.StopIntentIsOurs = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not record the stop of server {ServerId} in its PID file: {Error}", entry.ServerId, e.Message);
        }

        return (signal, timeout, false);
    }

    /// <summary>SIGKILLs the server's whole process group (and session) at once; the PID file is removed.</summary>
    public async Task<StopResult> KillAsync(string serverId, CancellationToken cancellationToken)
    {
        TrackedProcess? entry = registry.GetRunning(serverId);
        if (entry is null)
        {
            return NotRunning(serverId);
        }

        entry.StopRequested = true;
        return await KillEntryAsync(entry, cancellationToken);
    }

    private async Task<StopResult> KillEntryAsync(TrackedProcess entry, CancellationToken cancellationToken, bool escalated = false, long? started = null)
    {
        long t0 = started ?? time.GetTimestamp();
        int stragglersBefore = signaller.LiveMembers(entry).Count(m => m.Pid != entry.Pid);
        signaller.SignalGroup(entry, LinuxNative.SIGKILL);
        bool gone = await WaitUntilGoneAsync(entry, KillConfirmTimeout, cancellationToken);
        if (!gone)
        {
            IReadOnlyList<ProcStat> left = signaller.LiveMembers(entry);
            string message = $"still alive after SIGKILL: {string.Join(", ", left.Select(s => $"{s.Pid} ({s.Comm}, state {s.State})"))}";
            logger.LogError("Server {ServerId} (pid {Pid}): {Message}", entry.ServerId, entry.Pid, Text.LogText.Escape(message));
            return new StopResult(entry.ServerId, StopOutcome.Failed, entry.Pid, entry.LastExit, time.GetElapsedTime(t0), stragglersBefore, message);
        }

        await RemoveCgroupAsync(entry);
        return Finish(entry, escalated ? StopOutcome.EscalatedToKill : StopOutcome.Killed, t0, stragglersBefore);
    }

    /// <summary>
    /// Removes the server's cgroup once its tree is gone. A killed member stays listed in cgroup.procs until its parent
    /// (often init, for an orphan) reaps it, and rmdir fails with EBUSY until then: retry for a moment.
    /// </summary>
    private async Task RemoveCgroupAsync(TrackedProcess entry)
    {
        if (entry.Cgroup is not { } cgroup)
        {
            return;
        }

        long deadline = time.GetTimestamp() + (long)(KillConfirmTimeout.TotalSeconds * time.TimestampFrequency);
        while (!cgroups.TryRemove(cgroup))
        {
            if (time.GetTimestamp() >= deadline)
            {
                logger.LogWarning("Server {ServerId}: its cgroup {Cgroup} could not be removed yet; the next start or the start-up sweep removes it",
                    entry.ServerId, cgroup.Name);
                return;
            }

            await Task.Delay(PollInterval, time, CancellationToken.None);
        }
    }

    /// <summary>Waits until the leader has exited (and is reaped if ours) and no live member of its group or session remains.</summary>
    private async Task<bool> WaitUntilGoneAsync(TrackedProcess entry, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        long? leaderGoneAt = null;
        while (true)
        {
            // The leader check is a cheap waitpid/poll; the /proc scan for the rest of the group only runs once it is gone,
            // on a snapshot shared with concurrent stops but never older than the moment the leader was seen gone.
            if (registry.PollExit(entry) is not null)
            {
                leaderGoneAt ??= System.Diagnostics.Stopwatch.GetTimestamp();
                // At most one poll interval old (so a straggler's death is seen next round), never older than the exit.
                long recentEnough = Math.Max(leaderGoneAt.Value, System.Diagnostics.Stopwatch.GetTimestamp() - (long)(PollInterval.TotalSeconds * System.Diagnostics.Stopwatch.Frequency));
                if (signaller.LiveMembers(entry, recentEnough).Count == 0)
                {
                    return true;
                }
            }

            if (time.GetTimestamp() >= deadline)
            {
                return false;
            }

            if (leaderGoneAt is null)
            {
                // The exit watcher completes Exited the moment the leader exits; the short poll is the fallback without it.
                await Task.WhenAny(entry.Exited, Task.Delay(PollInterval, time, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }
            else
            {
                await Task.Delay(PollInterval, time, cancellationToken);
            }
        }
    }

    private StopResult Finish(TrackedProcess entry, StopOutcome outcome, long started, int stragglers)
    {
        registry.DeleteFileIfStillOurs(entry);

        TimeSpan duration = time.GetElapsedTime(started);
        string message = $"{outcome} after {duration.TotalMilliseconds:0} ms; leader {entry.LastExit}";
        logger.LogInformation("Server {ServerId} (pid {Pid}) stopped: {Message}", entry.ServerId, entry.Pid, message);
        return new StopResult(entry.ServerId, outcome, entry.Pid, entry.LastExit, duration, stragglers, message);
    }

    private static StopResult NotRunning(string serverId) =>
        new(serverId, StopOutcome.NotRunning, null, null, TimeSpan.Zero, 0, $"server {serverId} is not running");
}
