using ServerDashboard.Audit;
using ServerDashboard.Jobs;
using ServerDashboard.Servers;

namespace ServerDashboard.Schedules;

/// <summary>What came of one run of a schedule's action.</summary>
public sealed record ActionOutcome(ScheduleRunOutcome Outcome, string Detail)
{
    public static ActionOutcome Skipped(string why) => new(ScheduleRunOutcome.Skipped, why);

    public static ActionOutcome Failed(string why) => new(ScheduleRunOutcome.Failed, why);

    public static ActionOutcome Succeeded(string what) => new(ScheduleRunOutcome.Succeeded, what);
}

/// <summary>Carries out a due schedule's action (the seam the scheduler's timing tests replace).</summary>
public interface IScheduledActions
{
    Task<ActionOutcome> RunAsync(Schedule schedule, CancellationToken cancellationToken);
}

/// <summary>
/// The real actions, each through the service a user's click goes through (so each leaves that service's own audit
/// entry, as <c>system</c>): power actions through the <see cref="ServerSupervisor"/> and its power lock, console
/// commands through <see cref="ConsoleCommands"/>, backups through <see cref="BackupService"/>, job types through
/// <see cref="JobService"/>. Power actions wait until they are over, so the run's outcome is the action's.
/// </summary>
public sealed class ScheduledActions(
    ServerSupervisor supervisor,
    PowerLocks locks,
    ConsoleCommands commands,
    BackupService backups,
    JobService jobs,
    TimeProvider time) : IScheduledActions
{
    public async Task<ActionOutcome> RunAsync(Schedule schedule, CancellationToken cancellationToken)
    {
        var serverId = schedule.ServerId;
        var state = supervisor.GetStatus(serverId).State;
        if (schedule.SkipIfPowerActionInProgress && (state is ServerState.Starting or ServerState.Stopping || locks.For(serverId).CurrentCount == 0))
        {
            return ActionOutcome.Skipped($"a power action is in progress (state {state})");
        }

        if (schedule.OnlyIfRunning && state != ServerState.Running)
        {
            return ActionOutcome.Skipped($"the server is not running (state {state})");
        }

        var actor = AuditActor.System;
        switch (schedule.Action)
        {
            case ScheduleAction.Start when state is ServerState.Running or ServerState.Starting:
                return ActionOutcome.Skipped($"the server is already running (state {state})");
            case ScheduleAction.Start:
                return Power(await supervisor.StartAsync(serverId, actor, cancellationToken), "started");
            case ScheduleAction.Stop when !state.IsActive() && state != ServerState.Backoff:
                return ActionOutcome.Skipped($"the server is not running (state {state})");
            case ScheduleAction.Stop:
                return Power(await supervisor.StopAsync(serverId, wait: true, actor, cancellationToken), "stopped");
            case ScheduleAction.Restart:
                return Power(await supervisor.RestartAsync(serverId, wait: true, actor, cancellationToken), "restarted");
            case ScheduleAction.Command:
                var sent = await commands.SendAsync(serverId, schedule.Command, actor, cancellationToken);
                return sent.Outcome == CommandOutcome.Sent
                    ? ActionOutcome.Succeeded($"sent via {sent.Via}" + (sent.Response.Length > 0 ? ": " + sent.Response : ""))
                    : ActionOutcome.Failed(sent.Error ?? sent.Outcome.ToString());
            case ScheduleAction.Backup:
                return await StartJobAsync(() => backups.StartAsync(serverId, actor, cancellationToken), "backup");
            case ScheduleAction.Job:
                // Unique per run, within the job name rule (letters, digits, '.', '_', '-'; at most 64).
                var jobName = $"schedule-{schedule.Id}-{time.GetUtcNow():yyyyMMddTHHmmss}";
                return await StartJobAsync(() => jobs.StartTypeAsync(jobName, schedule.JobType ?? "", actor, cancellationToken), $"job of type {schedule.JobType}");
            default:
                return ActionOutcome.Failed($"unknown action {schedule.Action}");
        }
    }

    private static ActionOutcome Power(PowerResult result, string done) => result.Outcome switch
    {
        PowerOutcome.Accepted => ActionOutcome.Succeeded($"{done}: state {result.Status.State}"),
        PowerOutcome.NotFound => ActionOutcome.Failed("the server no longer exists"),
        _ => ActionOutcome.Failed(result.Reason ?? result.Outcome.ToString()),
    };

    private static async Task<ActionOutcome> StartJobAsync(Func<Task<JobStatusRecord>> start, string what)
    {
        try
        {
            var record = await start();
            return ActionOutcome.Succeeded($"{what} started as job {record.Name} (its outcome is on the Jobs page)");
        }
        catch (Exception e) when (e is JobInputException or JobConflictException or JobNotFoundException)
        {
            return ActionOutcome.Failed($"{what} not started: {e.Message}");
        }
    }
}
