using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;
using ServerDashboard.Logs;
using ServerDashboard.Processes;
using ServerDashboard.Rcon;
using ServerDashboard.Text;

namespace ServerDashboard.Servers;

/// <summary>
/// Runs servers: start, stop, restart, kill, with per-server serialization; follows their daemons' exits; applies
/// restart policies; keeps <see cref="ServerStatusBoard"/> current. Daemons outlive the dashboard: on start it takes
/// over what <see cref="ProcessRegistry"/> re-adopted from the PID files.
/// </summary>
public sealed class ServerSupervisor(
    IDbContextFactory<DashboardDbContext> dbFactory,
    LaunchPlanner planner,
    DaemonManager daemons,
    ProcessRegistry registry,
    PortOwnerLookup ports,
    ServerStatusBoard board,
    ReadinessProbe readiness,
    PowerLocks locks,
    RestartBackoff backoff,
    RunStateStore runStates,
    ConsoleLogRotator logRotator,
    RconConnections rcon,
    ConsoleMarkers markers,
    Audit.AuditLog audit,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<ServerSupervisor> logger)
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<int, CancellationTokenSource> runs = new();

    /// <summary>Background work (readiness, restarts, handed-off stops) ends when the dashboard stops.</summary>
    private CancellationToken stopping => lifetime.ApplicationStopping;

    public ServerStatus GetStatus(int serverId) => board.Get(serverId);

    // Every entry point (API, UI, CLI) goes through the overloads that take an actor, so each power action leaves
    // exactly one audit entry. The overloads without one are for composite actions that audit themselves as a whole
    // (shutdown-all, force cleanup, automatic restarts) and for tests.

    public Task<PowerResult> StartAsync(int serverId, Audit.AuditActor actor, CancellationToken cancellationToken) =>
        AuditedAsync(actor, Audit.AuditActions.Start, serverId, StartAsync(serverId, cancellationToken));

    /// <param name="wait">False: return once the stop is under way (state Stopping); true: once it is over.</param>
    public Task<PowerResult> StopAsync(int serverId, bool wait, Audit.AuditActor actor, CancellationToken cancellationToken) =>
        AuditedAsync(actor, Audit.AuditActions.Stop, serverId, StopAsync(serverId, wait, cancellationToken));

    public Task<PowerResult> RestartAsync(int serverId, bool wait, Audit.AuditActor actor, CancellationToken cancellationToken) =>
        AuditedAsync(actor, Audit.AuditActions.Restart, serverId, RestartAsync(serverId, wait, cancellationToken));

    public Task<PowerResult> KillAsync(int serverId, Audit.AuditActor actor, CancellationToken cancellationToken) =>
        AuditedAsync(actor, Audit.AuditActions.Kill, serverId, KillAsync(serverId, cancellationToken));

    /// <summary>Records the action once it is answered (after the power lock is released); an unknown server is not recorded.</summary>
    private async Task<PowerResult> AuditedAsync(Audit.AuditActor actor, string action, int serverId, Task<PowerResult> run)
    {
        var result = await run;
        if (result.Outcome != PowerOutcome.NotFound)
        {
            await audit.RecordPowerAsync(actor, action, serverId, result);
        }

        return result;
    }

    /// <summary>Unaudited: see the audited overload.</summary>
    internal async Task<PowerResult> StartAsync(int serverId, CancellationToken cancellationToken)
    {
        var gate = locks.For(serverId);
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await StartLockedAsync(serverId, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Unaudited: see the audited overload.</summary>
    internal Task<PowerResult> StopAsync(int serverId, bool wait, CancellationToken cancellationToken) =>
        RunInBackgroundAsync(serverId, wait, cancellationToken,
            async server =>
            {
                if (registry.GetRunning(Key(serverId)) is null)
                {
                    return PowerResult.Conflict(board.Get(serverId), $"Server '{server.Name}' is not running.");
                }

                runStates.SetShouldRun(serverId, false);
                // Durable before "accepted" is answered: a dashboard that dies now still carries the stop out at its next start.
                daemons.RecordStopIntent(Key(serverId), server.StopMode == StopMode.SigInt ? StopSignal.SigInt : StopSignal.SigTerm,
                    TimeSpan.FromSeconds(server.StopTimeoutSeconds));
                board.Update(serverId, s => s with { State = ServerState.Stopping, Message = null });
                return null;
            },
            async server =>
            {
                await StopDaemonAsync(server);
                return new PowerResult(PowerOutcome.Accepted, board.Get(serverId));
            });

    /// <summary>Unaudited: see the audited overload.</summary>
    internal Task<PowerResult> RestartAsync(int serverId, bool wait, CancellationToken cancellationToken) =>
        RunInBackgroundAsync(serverId, wait, cancellationToken,
            _ => Task.FromResult<PowerResult?>(null),
            async server =>
            {
                if (registry.GetRunning(Key(serverId)) is not null)
                {
                    board.Update(serverId, s => s with { State = ServerState.Stopping, Message = "restarting" });
                    await StopDaemonAsync(server);
                }

                return await StartLockedAsync(serverId, stopping);
            });

    /// <summary>
    /// Under the server's power lock: <paramref name="check"/> refuses (a result) or accepts (null) at once; then
    /// <paramref name="work"/> runs in the background and releases the lock when it is over, so a slow stop never
    /// holds an HTTP request unless the caller asked to <paramref name="wait"/>.
    /// </summary>
    private async Task<PowerResult> RunInBackgroundAsync(
        int serverId,
        bool wait,
        CancellationToken cancellationToken,
        Func<ServerDefinition, Task<PowerResult?>> check,
        Func<ServerDefinition, Task<PowerResult>> work)
    {
        var gate = locks.For(serverId);
        await gate.WaitAsync(cancellationToken);
        Task<PowerResult> background;
        try
        {
            var server = await FindAsync(serverId, cancellationToken);
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

            backoff.Reset(serverId);
            background = Task.Run(() => WorkThenReleaseAsync(server, work, gate), CancellationToken.None);
        }
        catch
        {
            gate.Release();
            throw;
        }

        return wait ? await background.WaitAsync(cancellationToken) : new PowerResult(PowerOutcome.Accepted, board.Get(serverId));
    }

    private async Task<PowerResult> WorkThenReleaseAsync(ServerDefinition server, Func<ServerDefinition, Task<PowerResult>> work, SemaphoreSlim gate)
    {
        try
        {
            return await work(server);
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
    /// Unaudited: see the audited overload.
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

            if (registry.GetRunning(Key(serverId)) is null)
            {
                return PowerResult.Conflict(board.Get(serverId), "The server is not running.");
            }

            runStates.SetShouldRun(serverId, false);
            backoff.Reset(serverId);
            CancelRun(serverId);
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

    /// <summary>Stops every running server in parallel and waits for all of them. Audited as one entry.</summary>
    public async Task<IReadOnlyList<PowerResult>> ShutdownAllAsync(Audit.AuditActor actor, CancellationToken cancellationToken)
    {
        var running = registry.Entries.Where(e => !e.HasExited)
            .Select(e => int.TryParse(e.ServerId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : (int?)null)
            .OfType<int>()
            .ToList();
        var results = await Task.WhenAll(running.Select(id => StopAsync(id, wait: true, cancellationToken)));
        var stopped = results.Count(r => r.Outcome == PowerOutcome.Accepted);
        await audit.RecordAsync(actor, Audit.AuditActions.ShutdownAll, $"{running.Count} running", stopped == running.Count,
            $"stopped {stopped} of {running.Count}");
        return results;
    }

    /// <summary>True when a daemon runs for the server (memory first, then its PID file).</summary>
    public bool IsRunning(int serverId) => registry.GetRunning(Key(serverId)) is not null;

    /// <summary>Takes over the daemons <see cref="ProcessRegistry"/> re-adopted from PID files, and last exits from the store.</summary>
    internal async Task AdoptAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in registry.Entries.Where(e => !e.HasExited))
        {
            if (TryParseId(entry.ServerId) is { } id)
            {
                board.Update(id, s => s with { State = ServerState.Running, Pid = entry.Pid, StartedAt = entry.Record.CreatedAt ?? entry.TrackedAt, LoadedFromDisk = entry.LoadedFromDisk, Message = null });
            }
        }

        await runStates.LoadAsync(cancellationToken);
        foreach (var run in runStates.All.Where(r => r.LastExitKind is not null))
        {
            var lastExit = new LastExit(run.LastExitKind!, run.LastExitCode, run.LastExitSignal, run.LastExitAt ?? default, run.LastExitRequested, run.LastExitDescription ?? "");
            board.Update(run.ServerId, s => s with { LastExit = lastExit });
        }

        // A stop accepted before the dashboard restarted is the user's last word: carry it on (its deadline still counts).
        foreach (var entry in registry.Entries.Where(e => !e.HasExited && DaemonManager.PendingStop(e) is not null))
        {
            if (TryParseId(entry.ServerId) is { } id)
            {
                logger.LogInformation("Server {ServerId} (pid {Pid}) was being stopped when the dashboard went down: continuing the stop", id, entry.Pid);
                var result = await StopAsync(id, wait: false, cancellationToken);
                if (result.Outcome != PowerOutcome.Accepted)
                {
                    logger.LogWarning("Server {ServerId}: the pending stop could not be resumed: {Reason}", id, LogText.Escape(result.Reason));
                }
            }
        }
    }

    private async Task<PowerResult> StartLockedAsync(int serverId, CancellationToken cancellationToken)
    {
        var server = await FindAsync(serverId, cancellationToken);
        if (server is null)
        {
            return NotFound(serverId);
        }

        if (registry.GetRunning(Key(serverId)) is { } running)
        {
            return PowerResult.Conflict(board.Get(serverId), $"Server '{server.Name}' is already running (pid {running.Pid}).");
        }

        if (PortConflict(server) is { } conflict)
        {
            board.Update(serverId, s => s with { State = ServerState.Error, Message = conflict });
            return PowerResult.Conflict(board.Get(serverId), conflict);
        }

        runStates.SetShouldRun(serverId, true);
        board.Update(serverId, s => s with { State = ServerState.Starting, Pid = null, StartedAt = null, LoadedFromDisk = false, Message = null });
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
            return PowerResult.Conflict(failed, $"Server '{server.Name}' could not start: {shown}");
        }

        backoff.RecordStart(serverId);
        // The pid goes on the board before readiness is watched: the probe may succeed at once.
        var status = board.Update(serverId, s => s.State == ServerState.Starting
            ? s with { Pid = entry.Pid, StartedAt = entry.TrackedAt, LoadedFromDisk = false }
            : s);
        WatchReadiness(server, entry, logPath, logOffset);
        return new PowerResult(PowerOutcome.Accepted, status);
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

    private void WatchReadiness(ServerDefinition server, TrackedProcess entry, string logPath, long logOffset)
    {
        var run = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        if (runs.TryGetValue(server.Id, out var previous))
        {
            previous.Cancel();
        }

        runs[server.Id] = run;
        run.CancelAfter(ReadyTimeout);
        _ = Task.Run(async () =>
        {
            try
            {
                var how = await readiness.WaitAsync(server, logPath, logOffset, run.Token);
                board.Update(server.Id, s => s.State == ServerState.Starting && s.Pid == entry.Pid
                    ? s with { State = ServerState.Running, Message = null }
                    : s);
                logger.LogInformation("Server {ServerId} '{ServerName}' is ready ({How})", server.Id, LogText.Escape(server.Name), how);
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested && !entry.HasExited && runs.GetValueOrDefault(server.Id) == run)
            {
                board.Update(server.Id, s => s.State == ServerState.Starting && s.Pid == entry.Pid
                    ? s with { Message = $"not ready after {ReadyTimeout.TotalMinutes:0} minutes: check the ready pattern and the console" }
                    : s);
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    private async Task StopDaemonAsync(ServerDefinition server)
    {
        CancelRun(server.Id);
        var signal = server.StopMode == StopMode.SigInt ? StopSignal.SigInt : StopSignal.SigTerm;
        var stopTimeout = TimeSpan.FromSeconds(server.StopTimeoutSeconds);
        // RCON "stop" first; if it cannot be delivered (RCON down, wrong password, timeout), DaemonManager sends SIGTERM.
        // The RCON attempt is bounded by the stop timeout so a silent server cannot delay the fallback longer than that.
        Func<CancellationToken, Task>? gracefulAction = server is { StopMode: StopMode.Rcon, RconEnabled: true }
            ? ct => rcon.RequestStopAsync(server.Id, server.StopCommand, stopTimeout, ct)
            : null;
        markers.Stopping(server);
        var result = await daemons.StopAsync(Key(server.Id), signal, stopTimeout, CancellationToken.None, gracefulAction);
        var status = RecordStopped(server.Id, result);
        if (server.Port is { } port && !ports.IsPortFree(port))
        {
            var owner = ports.FindListener(port);
            var message = $"port {port} is still in use by {(owner.Pid is { } pid ? $"pid {pid} ({owner.ProcessName})" : "another process")}";
            logger.LogWarning("Server {ServerId} stopped but its {Message}", server.Id, LogText.Escape(message));
            board.Update(server.Id, s => s.State == status.State ? s with { Message = message } : s);
        }
    }

    private ServerStatus RecordStopped(int serverId, StopResult result)
    {
        var lastExit = result.Exit is { } exit ? ToLastExit(exit, requested: true) : null;
        if (lastExit is not null)
        {
            runStates.SetLastExit(serverId, lastExit);
        }

        var state = result.Outcome == StopOutcome.Failed ? ServerState.Error : ServerState.Stopped;
        var message = result.Outcome switch
        {
            StopOutcome.EscalatedToKill => "did not stop in time: killed",
            StopOutcome.Failed => result.Message,
            _ => null,
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

    internal async Task HandleExitAsync(DaemonExit exit, CancellationToken cancellationToken)
    {
        if (TryParseId(exit.ServerId) is not { } serverId || exit.StopRequested)
        {
            return; // a requested stop is recorded by the stop itself
        }

        CancelRun(serverId);
        var lastExit = ToLastExit(exit.Status, requested: false);
        runStates.SetLastExit(serverId, lastExit);
        var clean = exit.Status is { Kind: ExitKind.Code, Code: 0 };
        var state = clean ? ServerState.Stopped : ServerState.Crashed;
        board.Update(serverId, s => s.Pid == exit.Pid || s.Pid is null
            ? s with { State = state, Pid = null, StartedAt = null, LoadedFromDisk = false, LastExit = lastExit, Message = null }
            : s);

        var server = await FindAsync(serverId, cancellationToken);
        if (server is null || !ShouldRestart(server.RestartPolicy, clean))
        {
            runStates.SetShouldRun(serverId, false);
            return;
        }

        if (backoff.NextDelay(serverId) is not { } delay)
        {
            runStates.SetShouldRun(serverId, false);
            board.Update(serverId, s => s with
            {
                State = ServerState.Error,
                Message = $"restart limit reached: it exited {RestartBackoff.MaxQuickFailures + 1} times in a row within {RestartBackoff.StableRun.TotalSeconds:0} s of starting",
            });
            return;
        }

        board.Update(serverId, s => s with { Message = $"restarting in {delay.TotalSeconds:0.#} s ({server.RestartPolicy})" });
        _ = Task.Run(async () =>
        {
            await Task.Delay(delay, time, cancellationToken);
            if (runStates.ShouldRun(serverId))
            {
                var result = await StartAsync(serverId, cancellationToken);
                logger.LogInformation("Restarted server {ServerId} by policy {Policy}: {Outcome} {Reason}", serverId, server.RestartPolicy, result.Outcome, LogText.Escape(result.Reason));
                await audit.RecordAsync(Audit.AuditActor.System, Audit.AuditActions.AutoRestart, serverId, server.Name,
                    $"policy {server.RestartPolicy} after {lastExit.Description}", result.Outcome == PowerOutcome.Accepted,
                    result.Outcome == PowerOutcome.Accepted ? result.Status.State.ToString() : result.Reason ?? result.Outcome.ToString());
            }
        }, CancellationToken.None);
    }

    private static bool ShouldRestart(RestartPolicy policy, bool cleanExit) => policy switch
    {
        RestartPolicy.OnFailure => !cleanExit,
        RestartPolicy.Always or RestartPolicy.UnlessStopped => true,
        _ => false,
    };

    /// <summary>
    /// At start-up: servers that should be running but are not (they died, or the host rebooted, while the dashboard
    /// was down) are started again by their policy. <c>Always</c> starts even a server a user stopped, as Docker does.
    /// </summary>
    internal async Task ApplyBootPoliciesAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var candidates = await db.Servers.AsNoTracking()
            .Where(s => s.RestartPolicy != RestartPolicy.No)
            .Select(s => new { s.Id, s.Name, s.RestartPolicy })
            .ToListAsync(cancellationToken);
        foreach (var server in candidates)
        {
            if ((server.RestartPolicy == RestartPolicy.Always || runStates.ShouldRun(server.Id)) && !IsRunning(server.Id))
            {
                logger.LogInformation("Server {ServerId} '{ServerName}' should be running ({Policy}): starting it", server.Id, LogText.Escape(server.Name), server.RestartPolicy);
                var result = await StartAsync(server.Id, cancellationToken);
                if (result.Outcome != PowerOutcome.Accepted)
                {
                    logger.LogWarning("Server {ServerId} could not be started at boot: {Reason}", server.Id, LogText.Escape(result.Reason));
                }
            }
        }
    }

    private LastExit ToLastExit(ExitStatus exit, bool requested) =>
        new(exit.Kind.ToString(), exit.Code, exit.Signal, time.GetUtcNow(), requested, exit.ToString());

    private void CancelRun(int serverId)
    {
        if (runs.TryRemove(serverId, out var run))
        {
            run.Cancel();
            run.Dispose();
        }
    }

    private async Task<ServerDefinition?> FindAsync(int serverId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Servers.AsNoTracking().FirstOrDefaultAsync(s => s.Id == serverId, cancellationToken);
    }

    private PowerResult NotFound(int serverId) => new(PowerOutcome.NotFound, board.Get(serverId), $"No server with id {serverId}.");

    private static string Key(int serverId) => serverId.ToString(CultureInfo.InvariantCulture);

    private static int? TryParseId(string serverId) =>
        int.TryParse(serverId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}
