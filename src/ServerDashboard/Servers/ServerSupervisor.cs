using System.Globalization;
using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;
using ServerDashboard.Logs;
using ServerDashboard.Processes;
using ServerDashboard.Rcon;
using ServerDashboard.Text;

namespace ServerDashboard.Servers;

/// <summary>
/// Power actions: start, stop, restart, kill, shutdown-all, each under the server's power lock, every state change
/// through <see cref="ServerStatusBoard"/> (the transition table). Exits and the restart policy are
/// <see cref="ServerExitHandler"/>'s, readiness <see cref="ReadinessWatcher"/>'s, health
/// <see cref="Monitoring.ServerHealthChecks"/>', boot <see cref="BootReconciler"/>'s.
/// </summary>
public sealed class ServerSupervisor(
    IDbContextFactory<DashboardDbContext> dbFactory,
    LaunchPlanner planner,
    IServerLauncher daemons, // DaemonManager: detached daemons on this host (docs/scale-out.md)
    ProcessRegistry registry,
    PortOwnerLookup ports,
    ServerStatusBoard board,
    ReadinessWatcher readiness,
    PowerLocks locks,
    RestartTracker tracker,
    RestartScheduler restarts,
    RunStateStore runStates,
    ConsoleLogRotator logRotator,
    RconConnections rcon,
    ConsoleMarkers markers,
    ICrashRecorder crashes,
    Audit.AuditLog audit,
    SupervisorWork work,
    TimeProvider time,
    ILogger<ServerSupervisor> logger,
    IEnumerable<IServerStartVeto> startVetoes)
{
    public ServerStatus GetStatus(int serverId) => board.Get(serverId);

    // Every entry point (API, UI, CLI) goes through the overloads that take an actor, so each power action leaves
    // exactly one audit entry and its state changes are stored with that actor. The overloads without one are for
    // composite actions that audit themselves as a whole (shutdown-all, force cleanup, automatic restarts) and tests.

    public Task<PowerResult> StartAsync(int serverId, Audit.AuditActor actor, CancellationToken cancellationToken) =>
        AuditedAsync(actor, Audit.AuditActions.Start, serverId, () => StartAsync(serverId, cancellationToken));

    /// <param name="wait">False: return once the stop is under way (state Stopping); true: once it is over.</param>
    public Task<PowerResult> StopAsync(int serverId, bool wait, Audit.AuditActor actor, CancellationToken cancellationToken) =>
        AuditedAsync(actor, Audit.AuditActions.Stop, serverId, () => StopAsync(serverId, wait, cancellationToken));

    public Task<PowerResult> RestartAsync(int serverId, bool wait, Audit.AuditActor actor, CancellationToken cancellationToken) =>
        AuditedAsync(actor, Audit.AuditActions.Restart, serverId, () => RestartAsync(serverId, wait, cancellationToken));

    public Task<PowerResult> KillAsync(int serverId, Audit.AuditActor actor, CancellationToken cancellationToken) =>
        AuditedAsync(actor, Audit.AuditActions.Kill, serverId, () => KillAsync(serverId, cancellationToken));

    /// <summary>Records the action once it is answered (after the power lock is released); an unknown server is not recorded.</summary>
    private async Task<PowerResult> AuditedAsync(Audit.AuditActor actor, string action, int serverId, Func<Task<PowerResult>> run)
    {
        Task<PowerResult> running;
        using (PowerActor.Use(actor.Name))
        {
            running = run();
        }

        var result = await running;
        if (result.Outcome != PowerOutcome.NotFound)
        {
            await audit.RecordPowerAsync(actor, action, serverId, result);
        }

        return result;
    }

    /// <summary>A manual start (also Start now during Backoff): cancels a pending restart and resets the restart counter.
    /// Unaudited: see the audited overload.</summary>
    internal async Task<PowerResult> StartAsync(int serverId, CancellationToken cancellationToken)
    {
        var gate = locks.For(serverId);
        await gate.WaitAsync(cancellationToken);
        try
        {
            restarts.Cancel(serverId);
            tracker.Reset(serverId);
            return await StartLockedAsync(serverId, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The restart policy's own start, when a Backoff delay is over: skipped if a user acted in between.</summary>
    internal async Task<PowerResult?> RestartFromBackoffAsync(int serverId, CancellationToken cancellationToken)
    {
        var gate = locks.For(serverId);
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (board.Get(serverId).State != ServerState.Backoff || !runStates.ShouldRun(serverId))
            {
                return null;
            }

            return await StartLockedAsync(serverId, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Unaudited: see the audited overload. During Backoff a stop cancels the pending restart.</summary>
    /// <param name="known">The definition when the caller has just read it (shutdown-all reads all of them in one query).</param>
    internal Task<PowerResult> StopAsync(int serverId, bool wait, CancellationToken cancellationToken, ServerDefinition? known = null) =>
        RunInBackgroundAsync(serverId, wait, cancellationToken,
            server =>
            {
                if (FindDaemon(serverId) is null)
                {
                    return Task.FromResult<PowerResult?>(CancelPendingRestart(serverId)
                        ?? PowerResult.Conflict(board.Get(serverId), $"Server '{server.Name}' is not running."));
                }

                runStates.SetShouldRun(serverId, false);
                // Durable before "accepted" is answered: a dashboard that dies now still carries the stop out at its next start.
                daemons.RecordStopIntent(Key(serverId), server.StopMode == StopMode.SigInt ? StopSignal.SigInt : StopSignal.SigTerm,
                    TimeSpan.FromSeconds(server.StopTimeoutSeconds));
                board.Update(serverId, s => s with { State = ServerState.Stopping, Message = null }, reason: "stop requested");
                return Task.FromResult<PowerResult?>(null);
            },
            async server =>
            {
                await StopDaemonAsync(server);
                return new PowerResult(PowerOutcome.Accepted, board.Get(serverId));
            },
            known);

    /// <summary>Unaudited: see the audited overload.</summary>
    internal Task<PowerResult> RestartAsync(int serverId, bool wait, CancellationToken cancellationToken) =>
        RunInBackgroundAsync(serverId, wait, cancellationToken,
            _ => Task.FromResult<PowerResult?>(null),
            async server =>
            {
                if (FindDaemon(serverId) is not null)
                {
                    board.Update(serverId, s => s with { State = ServerState.Stopping, Message = "restarting" });
                    await StopDaemonAsync(server);
                }

                return await StartLockedAsync(serverId, work.Stopping);
            });

    /// <summary>
    /// Under the server's power lock: <paramref name="check"/> refuses (a result) or accepts (null) at once; then
    /// <paramref name="action"/> runs as owned background work and releases the lock when it is over, so a slow stop
    /// never holds an HTTP request unless the caller asked to <paramref name="wait"/>. A user's stop or restart is an
    /// intent: it cancels a pending automatic restart and resets the restart counter.
    /// </summary>
    private async Task<PowerResult> RunInBackgroundAsync(
        int serverId,
        bool wait,
        CancellationToken cancellationToken,
        Func<ServerDefinition, Task<PowerResult?>> check,
        Func<ServerDefinition, Task<PowerResult>> action,
        ServerDefinition? known = null)
    {
        var gate = locks.For(serverId);
        await gate.WaitAsync(cancellationToken);
        Task<PowerResult> background;
        try
        {
            var server = known ?? await FindAsync(serverId, cancellationToken);
            if (server is null)
            {
                gate.Release();
                return NotFound(serverId);
            }

            if (await check(server) is { } refused)
            {
                gate.Release();
                return refused;
            }

            restarts.Cancel(serverId);
            tracker.Reset(serverId);
            var actor = PowerActor.Current;
            background = work.Run($"power action on server {serverId}", async _ =>
            {
                using var __ = PowerActor.Use(actor); // the stop's own transitions are the user's
                return await ActThenReleaseAsync(server, action, gate);
            });
        }
        catch
        {
            gate.Release();
            throw;
        }

        return wait ? await background.WaitAsync(cancellationToken) : new PowerResult(PowerOutcome.Accepted, board.Get(serverId));
    }

    private async Task<PowerResult> ActThenReleaseAsync(ServerDefinition server, Func<ServerDefinition, Task<PowerResult>> action, SemaphoreSlim gate)
    {
        try
        {
            return await action(server);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Power action on server {ServerId} failed", server.Id);
            // Every Viewer sees the status: the exception's own text (paths, internals) stays in the log.
            const string generic = "failed: an internal error (details in the dashboard log)";
            return PowerResult.Conflict(board.Update(server.Id, s => s with { State = ServerState.Error, Message = generic }), generic);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// SIGKILL to the whole process group at once. Only tries the power lock, so a stuck action cannot block it.
    /// During Backoff it cancels the pending restart. Unaudited: see the audited overload.
    /// </summary>
    internal async Task<PowerResult> KillAsync(int serverId, CancellationToken cancellationToken)
    {
        var gate = locks.For(serverId);
        var locked = await gate.WaitAsync(TimeSpan.Zero, cancellationToken);
        try
        {
            var server = await FindAsync(serverId, cancellationToken);
            if (server is null && registry.Get(Key(serverId)) is null)
            {
                return NotFound(serverId);
            }

            if (FindDaemon(serverId) is null)
            {
                return CancelPendingRestart(serverId) ?? PowerResult.Conflict(board.Get(serverId), "The server is not running.");
            }

            runStates.SetShouldRun(serverId, false);
            restarts.Cancel(serverId);
            tracker.Reset(serverId);
            readiness.Cancel(serverId);
            var result = await daemons.KillAsync(Key(serverId), cancellationToken);
            return new PowerResult(PowerOutcome.Accepted, RecordStopped(serverId, result));
        }
        finally
        {
            if (locked)
            {
                gate.Release();
            }
        }
    }

    /// <summary>Backoff → Stopped: a user's stop or kill while a restart was pending. Null when none was.</summary>
    private PowerResult? CancelPendingRestart(int serverId)
    {
        var cancelled = restarts.Cancel(serverId);
        if (!cancelled && board.Get(serverId).State != ServerState.Backoff)
        {
            return null;
        }

        runStates.SetShouldRun(serverId, false);
        tracker.Reset(serverId);
        var status = board.Update(serverId, s => s.State == ServerState.Backoff ? s with { State = ServerState.Stopped, Message = null } : s,
            reason: "pending restart cancelled");
        return new PowerResult(PowerOutcome.Accepted, status);
    }

    /// <summary>Stops every running server (and cancels every pending restart) in parallel, each by its own stop mode
    /// and timeout, and waits for all of them. Audited as one entry.</summary>
    public async Task<IReadOnlyList<PowerResult>> ShutdownAllAsync(Audit.AuditActor actor, CancellationToken cancellationToken)
    {
        IReadOnlyList<PowerResult> results;
        int count;
        using (PowerActor.Use(actor.Name))
        {
            (count, results) = await StopAllAsync(cancellationToken);
        }

        var stopped = results.Count(r => r.Outcome == PowerOutcome.Accepted);
        await audit.RecordAsync(actor, Audit.AuditActions.ShutdownAll, $"{count} running", stopped == count, $"stopped {stopped} of {count}");
        return results;
    }

    /// <summary>The one stop-all path: <c>shutdown-all</c> and <c>StopServersOnShutdown</c> both come here.</summary>
    internal async Task<(int Count, IReadOnlyList<PowerResult> Results)> StopAllAsync(CancellationToken cancellationToken)
    {
        var ids = registry.Entries.Where(e => !e.HasExited).Select(e => TryParseId(e.ServerId)).OfType<int>()
            .Concat(board.All.Where(s => s.State == ServerState.Backoff).Select(s => s.ServerId))
            .Distinct()
            .ToList();
        var servers = await RecordStopIntentsAsync(ids, cancellationToken);
        var results = await Task.WhenAll(ids.Select(id => StopAsync(id, wait: true, cancellationToken, servers.GetValueOrDefault(id))));
        return (ids.Count, results);
    }

    /// <summary>
    /// Every running server's stop intent, durable in one batch before any of them is signalled: each stop then finds its
    /// intent recorded and writes nothing (one directory fsync for all instead of two fsyncs per server, which the stops
    /// would otherwise pay one after another). Returns the definitions, read in one query for the stops too.
    /// </summary>
    private async Task<Dictionary<int, ServerDefinition>> RecordStopIntentsAsync(List<int> ids, CancellationToken cancellationToken)
    {
        Dictionary<int, ServerDefinition> servers;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            // Every definition, filtered here: the very query ServerCatalog.ListAsync makes (the log tailer's at start-up),
            // so EF Core finds it compiled. A query of its own (ids.Contains) cost ≈ 35 ms to compile on its first use,
            // which the first stop-all after a dashboard start always was.
            var wanted = ids.ToHashSet();
            servers = (await db.Servers.AsNoTracking().ToListAsync(cancellationToken)).Where(s => wanted.Contains(s.Id)).ToDictionary(s => s.Id);
        }

        daemons.RecordStopIntents(servers.Values
            .Where(s => registry.Get(Key(s.Id)) is { HasExited: false })
            .Select(s => (Key(s.Id), s.StopMode == StopMode.SigInt ? StopSignal.SigInt : StopSignal.SigTerm, TimeSpan.FromSeconds(s.StopTimeoutSeconds)))
            .ToList());
        return servers;
    }

    /// <summary>True when a tracked daemon of the server is alive. A pure query: it adopts nothing (see <see cref="Rescan"/>).</summary>
    public bool IsRunning(int serverId) => registry.Get(Key(serverId)) is { HasExited: false };

    /// <summary>
    /// Looks for the server's daemon again, PID file included: a valid PID file dropped in by hand (or left by another
    /// dashboard) is adopted and the board says Running. Returns the current status.
    /// </summary>
    public ServerStatus Rescan(int serverId)
    {
        FindDaemon(serverId);
        return board.Get(serverId);
    }

    /// <summary>The live daemon (memory first, then a valid PID file); one adopted from a file is put on the board.</summary>
    private TrackedProcess? FindDaemon(int serverId)
    {
        var entry = registry.GetRunning(Key(serverId));
        if (entry is not null && !board.Get(serverId).State.IsActive())
        {
            restarts.Cancel(serverId);
            board.Update(serverId, s => s.State.IsActive() ? s : s with
            {
                State = ServerState.Running, Pid = entry.Pid, StartedAt = entry.Record.CreatedAt ?? entry.TrackedAt,
                LoadedFromDisk = entry.LoadedFromDisk, Message = null,
            }, reason: $"adopted pid {entry.Pid} from its PID file");
            tracker.MarkRunning(serverId);
        }

        return entry;
    }

    private async Task<PowerResult> StartLockedAsync(int serverId, CancellationToken cancellationToken)
    {
        var server = await FindAsync(serverId, cancellationToken);
        if (server is null)
        {
            return NotFound(serverId);
        }

        if (FindDaemon(serverId) is { } running)
        {
            return PowerResult.Conflict(board.Get(serverId), $"Server '{server.Name}' is already running (pid {running.Pid}).");
        }

        if (startVetoes.Select(v => v.WhyNot(serverId)).FirstOrDefault(r => r is not null) is { } veto)
        {
            return PowerResult.Conflict(board.Get(serverId), $"Server '{server.Name}' cannot start now: {veto}");
        }

        if (PortConflict(server) is { } conflict)
        {
            runStates.SetShouldRun(serverId, false);
            board.Update(serverId, s => s with { State = ServerState.Error, Message = conflict });
            return PowerResult.Conflict(board.Get(serverId), conflict);
        }

        runStates.SetShouldRun(serverId, true);
        board.Update(serverId, s => s with { State = ServerState.Starting, Pid = null, StartedAt = null, LoadedFromDisk = false, Message = null },
            reason: "start");
        TrackedProcess entry;
        string logPath;
        long logOffset;
        try
        {
            var request = planner.Plan(server);
            logPath = request.Spec.LogPath;
            logRotator.RotateForNewStart(serverId); // a fresh console.log per start; the child creates it
            logOffset = File.Exists(logPath) ? new FileInfo(logPath).Length : 0;
            entry = await daemons.StartAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is DaemonLaunchException or IOException or UnauthorizedAccessException)
        {
            runStates.SetShouldRun(serverId, false);
            // Our own launch errors are written for operators; a raw OS exception's text (paths, internals) stays in the log.
            var shown = ex is DaemonLaunchException or UnsafeFileException ? ex.Message : "a file or permission error (details in the dashboard log)";
            var failed = board.Update(serverId, s => s with { State = ServerState.Error, Message = shown });
            logger.LogWarning("Server {ServerId} '{ServerName}' could not start: {Error}", serverId, LogText.Escape(server.Name), LogText.Escape(ex.Message));
            await crashes.RecordAsync(new CrashReport(serverId, time.GetUtcNow(), null, null, null, CrashClassification.StartupFailure,
                $"could not start: {shown}"), CancellationToken.None);
            return PowerResult.Conflict(failed, $"Server '{server.Name}' could not start: {shown}");
        }

        // The pid goes on the board before readiness is watched: the probe may succeed at once.
        var status = board.Update(serverId, s => s.State == ServerState.Starting
            ? s with { Pid = entry.Pid, StartedAt = entry.TrackedAt, LoadedFromDisk = false }
            : s);
        readiness.Watch(server, entry, logPath, logOffset, (timeout, ct) => StopNotReadyAsync(server, entry, timeout, ct));
        return new PowerResult(PowerOutcome.Accepted, status);
    }

    /// <summary>The startup timeout passed without readiness: the process is stopped and the server goes to Error.</summary>
    private async Task StopNotReadyAsync(ServerDefinition server, TrackedProcess entry, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var gate = locks.For(server.Id);
        await gate.WaitAsync(cancellationToken);
        try
        {
            var before = board.Get(server.Id);
            if (before.State != ServerState.Starting || before.Pid != entry.Pid)
            {
                return; // a user acted, or it exited, meanwhile
            }

            var message = $"did not become ready within {timeout.TotalSeconds:0} s";
            logger.LogWarning("Server {ServerId} '{ServerName}' {Message}: stopping it", server.Id, LogText.Escape(server.Name), message);
            runStates.SetShouldRun(server.Id, false);
            board.Update(server.Id, s => s with { State = ServerState.Stopping, Message = message });
            await StopDaemonAsync(server, ServerState.Error, message);
            var uptime = before.StartedAt is { } started ? (time.GetUtcNow() - started).TotalSeconds : (double?)null;
            await crashes.RecordAsync(new CrashReport(server.Id, time.GetUtcNow(), null, null, uptime, CrashClassification.StartupTimeout,
                message), CancellationToken.None);
        }
        finally
        {
            gate.Release();
        }
    }

    private string? PortConflict(ServerDefinition server)
    {
        var wanted = new List<(int Port, string What)>();
        if (server.Port is { } port)
        {
            wanted.Add((port, "game port"));
        }

        if (server.RconEnabled && server.RconPort is { } rconPort)
        {
            wanted.Add((rconPort, "RCON port"));
        }

        foreach (var (number, what) in wanted)
        {
            if (ports.IsPortFree(number))
            {
                continue;
            }

            var owner = ports.FindListener(number);
            var who = owner.Pid is { } pid ? $"pid {pid}{(owner.ProcessName is null ? "" : $" ({owner.ProcessName})")}" : "another process";
            return $"Cannot start '{server.Name}': its {what} {number} is already in use by {who}.";
        }

        return null;
    }

    /// <param name="endState">Where a successful stop leaves the server (Error for a startup timeout).</param>
    private async Task StopDaemonAsync(ServerDefinition server, ServerState endState = ServerState.Stopped, string? endMessage = null)
    {
        readiness.Cancel(server.Id);
        var signal = server.StopMode == StopMode.SigInt ? StopSignal.SigInt : StopSignal.SigTerm;
        var stopTimeout = TimeSpan.FromSeconds(server.StopTimeoutSeconds);
        // RCON "stop" first; if it cannot be delivered (RCON down, wrong password, timeout), DaemonManager sends SIGTERM.
        // The RCON attempt is bounded by the stop timeout so a silent server cannot delay the fallback longer than that.
        Func<CancellationToken, Task>? gracefulAction = server is { StopMode: StopMode.Rcon, RconEnabled: true }
            ? ct => rcon.RequestStopAsync(server.Id, server.StopCommand, stopTimeout, ct)
            : null;
        await markers.StoppingAsync(server);
        var result = await daemons.StopAsync(Key(server.Id), signal, stopTimeout, CancellationToken.None, gracefulAction);
        var status = RecordStopped(server.Id, result, endState, endMessage);
        if (server.Port is { } port && !ports.IsPortFree(port))
        {
            var owner = ports.FindListener(port);
            var message = $"port {port} is still in use by {(owner.Pid is { } pid ? $"pid {pid} ({owner.ProcessName})" : "another process")}";
            logger.LogWarning("Server {ServerId} stopped but its {Message}", server.Id, LogText.Escape(message));
            board.Update(server.Id, s => s.State == status.State ? s with { Message = message } : s);
        }
    }

    private ServerStatus RecordStopped(int serverId, StopResult result, ServerState endState = ServerState.Stopped, string? endMessage = null)
    {
        var lastExit = result.Exit is { } exit ? ServerExitHandler.ToLastExit(exit, requested: true, time.GetUtcNow()) : null;
        if (lastExit is not null)
        {
            runStates.SetLastExit(serverId, lastExit);
        }

        var state = result.Outcome == StopOutcome.Failed ? ServerState.Error : endState;
        var message = result.Outcome switch
        {
            StopOutcome.Failed => result.Message,
            StopOutcome.EscalatedToKill => endMessage is null ? "did not stop in time: killed" : endMessage + "; did not stop in time: killed",
            _ => endMessage,
        };
        return board.Update(serverId, s => s with
        {
            State = state,
            Pid = null,
            StartedAt = null,
            LoadedFromDisk = false,
            LastExit = lastExit ?? s.LastExit,
            Message = message,
        });
    }

    private async Task<ServerDefinition?> FindAsync(int serverId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Servers.AsNoTracking().FirstOrDefaultAsync(s => s.Id == serverId, cancellationToken);
    }

    private PowerResult NotFound(int serverId) => new(PowerOutcome.NotFound, board.Get(serverId), $"No server with id {serverId}.");

    internal static string Key(int serverId) => serverId.ToString(CultureInfo.InvariantCulture);

    internal static int? TryParseId(string serverId) =>
        int.TryParse(serverId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}
