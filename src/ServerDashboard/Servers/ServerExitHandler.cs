using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;
using ServerDashboard.Processes;
using ServerDashboard.Text;

namespace ServerDashboard.Servers;

/// <summary>
/// The restart policy: what happens after an exit nobody asked for. It is recorded as a crash (<see cref="ICrashRecorder"/>),
/// the server goes to Crashed (Stopped for a clean exit), then by its policy to Backoff (a restart after an exponential,
/// jittered delay: <see cref="RestartTracker"/>, <see cref="RestartScheduler"/>) or, in a crash loop, to Error.
/// </summary>
public sealed class ServerExitHandler(
    IDbContextFactory<DashboardDbContext> dbFactory,
    ServerStatusBoard board,
    ReadinessWatcher readiness,
    RestartTracker tracker,
    RestartScheduler restarts,
    RunStateStore runStates,
    ServerSupervisor supervisor,
    ICrashRecorder crashes,
    Audit.AuditLog audit,
    Microsoft.Extensions.Options.IOptionsMonitor<SupervisionOptions> options,
    TimeProvider time,
    ILogger<ServerExitHandler> logger)
{
    public const string AdoptedExitDescription = "unknown: adopted process";

    public async Task HandleExitAsync(DaemonExit exit, CancellationToken cancellationToken)
    {
        if (ServerSupervisor.TryParseId(exit.ServerId) is not { } serverId || exit.StopRequested)
        {
            return; // a requested stop is recorded by the stop itself
        }

        var before = board.Get(serverId);
        if (before.Pid is { } shown && shown != exit.Pid)
        {
            return; // an earlier run's exit, seen late: the server has moved on
        }

        readiness.Cancel(serverId);
        var now = time.GetUtcNow();
        var clean = exit.Status is { Kind: ExitKind.Code, Code: 0 };
        var server = await FindAsync(serverId, cancellationToken);
        var description = exit.OomKilled
            ? $"killed by the OOM killer at its memory limit ({(server?.MaxMemoryMb is { } mb ? $"{mb} MB" : "unknown")})"
            : exit.Status.Kind == ExitKind.Unknown ? AdoptedExitDescription : exit.Status.ToString();
        // The kernel's word (memory.events / memory.oom_control of the server's cgroup) beats what the exit alone shows (SIGKILL).
        var classification = exit.OomKilled ? CrashClassification.OomKilled
            : before.State == ServerState.Starting ? CrashClassification.StartupFailure
            : exit.Status.Kind == ExitKind.Signal ? CrashClassification.Signal
            : CrashClassification.Crash;
        // The OOM kill is what the console marker, the API's lastExit and the list show, not just "signal 9".
        var lastExit = ToLastExit(exit.Status, requested: false, now);
        if (exit.OomKilled)
        {
            lastExit = lastExit with { Description = description };
        }

        runStates.SetLastExit(serverId, lastExit);
        var uptime = before.StartedAt is { } started ? Math.Max(0, (now - started).TotalSeconds) : (double?)null;
        await crashes.RecordAsync(new CrashReport(serverId, now, exit.Status.Code, exit.Status.Signal, uptime, classification, description),
            CancellationToken.None);

        board.Update(serverId, s => s with
        {
            State = clean ? ServerState.Stopped : ServerState.Crashed,
            Pid = null,
            StartedAt = null,
            LoadedFromDisk = false,
            LastExit = lastExit,
            Message = clean ? null : description,
        }, reason: description);

        // Dashboard:Supervision:AutoRestart=false (DAEMON_ENABLE_AUTO_RECOVERY): nothing restarts without a person or a schedule.
        if (server is null || !options.CurrentValue.AutoRestart || !ShouldRestart(server.RestartPolicy, clean))
        {
            runStates.SetShouldRun(serverId, false);
            return;
        }

        var decision = tracker.OnExit(serverId);
        if (decision.CrashLoop)
        {
            runStates.SetShouldRun(serverId, false);
            var o = options.CurrentValue;
            board.Update(serverId, s => s with
            {
                State = ServerState.Error,
                Message = $"crash loop: {decision.RestartsInWindow} restarts within {o.CrashLoopWindowSeconds} s; last crash: {description}",
            });
            return;
        }

        var delay = decision.Delay!.Value;
        board.Update(serverId, s => s with
        {
            State = ServerState.Backoff,
            NextAttemptAt = now + delay,
            Attempt = decision.Attempt,
            Message = $"restarting in {delay.TotalSeconds:0.#} s ({server.RestartPolicy}, attempt {decision.Attempt})",
        }, reason: $"restart {decision.Attempt} in {delay.TotalSeconds:0.#} s");
        _ = restarts.Schedule(serverId, delay, async ct => // owned (and awaited at shutdown) by SupervisorWork
        {
            var result = await supervisor.RestartFromBackoffAsync(serverId, ct);
            if (result is null)
            {
                return; // a user acted during the wait
            }

            logger.LogInformation("Restarted server {ServerId} by policy {Policy} (attempt {Attempt}): {Outcome} {Reason}", serverId,
                server.RestartPolicy, decision.Attempt, result.Outcome, LogText.Escape(result.Reason));
            await audit.RecordAsync(Audit.AuditActor.System, Audit.AuditActions.AutoRestart, serverId, server.Name,
                $"policy {server.RestartPolicy} after {description} (attempt {decision.Attempt})", result.Outcome == PowerOutcome.Accepted,
                result.Outcome == PowerOutcome.Accepted ? result.Status.State.ToString() : result.Reason ?? result.Outcome.ToString());
        });
    }

    public static bool ShouldRestart(RestartPolicy policy, bool cleanExit) => policy switch
    {
        RestartPolicy.OnFailure => !cleanExit,
        RestartPolicy.Always or RestartPolicy.UnlessStopped => true,
        _ => false,
    };

    internal static LastExit ToLastExit(ExitStatus exit, bool requested, DateTimeOffset at) =>
        new(exit.Kind.ToString(), exit.Code, exit.Signal, at, requested, exit.ToString());

    private async Task<ServerDefinition?> FindAsync(int serverId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Servers.AsNoTracking().FirstOrDefaultAsync(s => s.Id == serverId, cancellationToken);
    }
}
