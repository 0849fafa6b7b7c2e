using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;
using ServerDashboard.Processes;
using ServerDashboard.Text;

namespace ServerDashboard.Servers;

/// <summary>
/// Boot reconciliation: puts on the board the daemons <see cref="ProcessRegistry"/> re-adopted from PID files, the
/// states stored before the restart (Error and Crashed come back with their reason; a server that was running and is
/// gone is Crashed "vanished while the dashboard was down"), carries on a stop that was under way, then starts what
/// the restart policies want running.
/// </summary>
public sealed class BootReconciler(
    IDbContextFactory<DashboardDbContext> dbFactory,
    ProcessRegistry registry,
    ServerStatusBoard board,
    RunStateStore runStates,
    ServerTransitionLog transitions,
    RestartTracker tracker,
    ServerSupervisor supervisor,
    ICrashRecorder crashes,
    Microsoft.Extensions.Options.IOptionsMonitor<SupervisionOptions> options,
    TimeProvider time,
    ILogger<BootReconciler> logger)
{
    public const string VanishedMessage = "vanished while the dashboard was down";

    public async Task AdoptAsync(CancellationToken cancellationToken)
    {
        var adopted = new HashSet<int>();
        foreach (var entry in registry.Entries.Where(e => !e.HasExited))
        {
            if (ServerSupervisor.TryParseId(entry.ServerId) is { } id)
            {
                adopted.Add(id);
                board.Update(id, s => s with { State = ServerState.Running, Pid = entry.Pid, StartedAt = entry.Record.CreatedAt ?? entry.TrackedAt, LoadedFromDisk = entry.LoadedFromDisk, Message = null },
                    reason: $"re-adopted pid {entry.Pid}");
                tracker.MarkRunning(id);
            }
        }

        await runStates.LoadAsync(cancellationToken);
        foreach (var run in runStates.All.Where(r => r.LastExitKind is not null))
        {
            var lastExit = new LastExit(run.LastExitKind!, run.LastExitCode, run.LastExitSignal, run.LastExitAt ?? default, run.LastExitRequested, run.LastExitDescription ?? "");
            board.Update(run.ServerId, s => s with { LastExit = lastExit });
        }

        await RestoreStoredStatesAsync(adopted, cancellationToken);

        // A stop accepted before the dashboard restarted is the user's last word: carry it on (its deadline still counts).
        foreach (var entry in registry.Entries.Where(e => !e.HasExited && DaemonManager.PendingStop(e) is not null))
        {
            if (ServerSupervisor.TryParseId(entry.ServerId) is { } id)
            {
                logger.LogInformation("Server {ServerId} (pid {Pid}) was being stopped when the dashboard went down: continuing the stop", id, entry.Pid);
                var result = await supervisor.StopAsync(id, wait: false, cancellationToken);
                if (result.Outcome != PowerOutcome.Accepted)
                {
                    logger.LogWarning("Server {ServerId}: the pending stop could not be resumed: {Reason}", id, LogText.Escape(result.Reason));
                }
            }
        }
    }

    private async Task RestoreStoredStatesAsync(HashSet<int> adopted, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var last in await transitions.LoadLatestAsync(cancellationToken))
        {
            if (adopted.Contains(last.ServerId) || !Enum.TryParse<ServerState>(last.To, out var state))
            {
                continue;
            }

            switch (state)
            {
                case ServerState.Error or ServerState.Crashed:
                    board.Update(last.ServerId, s => s with { State = state, Message = last.Reason }, reason: "restored: " + last.Reason);
                    break;
                case ServerState.Starting or ServerState.Running or ServerState.Backoff:
                    // Its daemon is not among the adopted: it died (or the host rebooted) while nobody watched.
                    var lastExit = new LastExit(nameof(ExitKind.Unknown), null, null, now, false, VanishedMessage);
                    runStates.SetLastExit(last.ServerId, lastExit);
                    board.Update(last.ServerId, s => s with { State = ServerState.Crashed, Message = VanishedMessage, LastExit = lastExit });
                    await crashes.RecordAsync(new CrashReport(last.ServerId, now, null, null, null, CrashClassification.VanishedWhileDown,
                        VanishedMessage), CancellationToken.None);
                    break;
            }
        }
    }

    /// <summary>
    /// At start-up: servers that should be running but are not (they died, or the host rebooted, while the dashboard
    /// was down) are started again by their policy. <c>Always</c> starts even a server a user stopped, as Docker does.
    /// </summary>
    public async Task ApplyBootPoliciesAsync(CancellationToken cancellationToken)
    {
        if (!options.CurrentValue.AutoRestart)
        {
            logger.LogInformation("Automatic restarts are off (Dashboard:Supervision:AutoRestart=false): no server is started at boot");
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var candidates = await db.Servers.AsNoTracking()
            .Where(s => s.RestartPolicy != RestartPolicy.No)
            .Select(s => new { s.Id, s.Name, s.RestartPolicy })
            .ToListAsync(cancellationToken);
        foreach (var server in candidates)
        {
            if ((server.RestartPolicy == RestartPolicy.Always || runStates.ShouldRun(server.Id)) && !supervisor.IsRunning(server.Id))
            {
                logger.LogInformation("Server {ServerId} '{ServerName}' should be running ({Policy}): starting it", server.Id, LogText.Escape(server.Name), server.RestartPolicy);
                var result = await supervisor.StartAsync(server.Id, cancellationToken);
                if (result.Outcome != PowerOutcome.Accepted)
                {
                    logger.LogWarning("Server {ServerId} could not be started at boot: {Reason}", server.Id, LogText.Escape(result.Reason));
                }
            }
        }
    }
}
