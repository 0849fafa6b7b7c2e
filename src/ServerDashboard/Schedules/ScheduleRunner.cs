using System.Collections.Concurrent;
using System.Globalization;
using Cronos;
using Microsoft.Extensions.Options;

namespace ServerDashboard.Schedules;

/// <summary>When the runner will next look at its schedules; <see cref="Generation"/> counts the sleeps (tests wait on it).</summary>
public readonly record struct RunnerSleep(DateTimeOffset Until, long Generation);

/// <summary>
/// The scheduler: loads the enabled schedules, runs (or skips, or catches up) whatever is due, then sleeps on the
/// <see cref="TimeProvider"/> until the earliest next occurrence — or until a schedule changes, which wakes it to plan
/// again. Each due occurrence is marked handled in the store before its action starts, so a dashboard that dies mid-run
/// never runs it twice; actions run in the background, one at a time per schedule, so a slow stop delays no other schedule.
/// </summary>
public sealed class ScheduleRunner(
    ScheduleService store,
    IScheduledActions actions,
    IOptions<ScheduleOptions> options,
    TimeProvider time,
    ILogger<ScheduleRunner> logger) : BackgroundService
{
    /// <summary>
    /// The longest single sleep. A timer counts elapsed time, not wall-clock time: if the clock is stepped (NTP, a VM
    /// resumed) the runner notices within this long instead of days later.
    /// </summary>
    public static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(10);

    /// <summary>After a failure to read the store (e.g. the disk is full), the next attempt.</summary>
    public static readonly TimeSpan RetryAfterError = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<int, Task> running = new();
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long generation;
    private RunnerSleep? sleeping;

    /// <summary>Set while the runner sleeps; null while it works.</summary>
    public RunnerSleep? Sleeping => sleeping;

    /// <summary>Completes when the runs launched so far (and their records) are done.</summary>
    internal Task InFlight => Task.WhenAll(running.Values);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            logger.LogInformation("Schedules are turned off (Dashboard:Schedules:Enabled = false): none will run");
            return;
        }

        store.Changed += OnChanged;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Taken before the store is read: a change made while this pass runs wakes the next sleep at once.
                var signal = Volatile.Read(ref changed).Task;
                var now = time.GetUtcNow();
                DateTimeOffset wake;
                try
                {
                    var next = await PassAsync(now, stoppingToken);
                    wake = next is { } n && n - now < MaxSleep ? n : now + MaxSleep;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Schedules could not be read or planned; trying again in {Seconds} s", RetryAfterError.TotalSeconds);
                    wake = now + RetryAfterError;
                }

                await SleepAsync(wake, signal, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
        finally
        {
            store.Changed -= OnChanged;
            // Runs in flight were cancelled with the token; their outcome ("the dashboard stopped") is still recorded.
            await Task.WhenAll(running.Values);
        }
    }

    /// <summary>Deals with everything due at <paramref name="now"/>; returns the earliest next occurrence, or null for none.</summary>
    private async Task<DateTimeOffset?> PassAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        DateTimeOffset? earliest = null;
        var missedAfter = TimeSpan.FromSeconds(Math.Max(0, options.Value.MissedAfterSeconds));
        foreach (var (schedule, serverName) in await store.LoadEnabledAsync(cancellationToken))
        {
            // Stored schedules were valid when saved; a zone that vanished with a tzdata update is reported, not fatal.
            if (ScheduleClock.FindZone(schedule.TimeZone, out var zoneError) is not { } zone)
            {
                logger.LogWarning("Schedule {ScheduleId} cannot run: {Error}", schedule.Id, zoneError);
                continue;
            }

            CronExpression? cron = null;
            if (schedule.Cron is not null && (cron = ScheduleClock.ParseCron(schedule.Cron, out var cronError)) is null)
            {
                logger.LogWarning("Schedule {ScheduleId} cannot run: {Error}", schedule.Id, cronError);
                continue;
            }

            if (ScheduleClock.Plan(schedule, cron, zone, now, missedAfter) is { } plan)
            {
                await store.MarkHandledAsync(schedule.Id, plan.HandledUpTo, cancellationToken);
                schedule.LastDueAt = plan.HandledUpTo;
                Launch(schedule, serverName, zone, plan, now, cancellationToken);
            }

            if (ScheduleClock.NextDue(schedule, cron, zone) is { } due && (earliest is null || due < earliest))
            {
                earliest = due;
            }
        }

        return earliest;
    }

    private void Launch(Schedule schedule, string serverName, TimeZoneInfo zone, DuePlan plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (plan.Missed > 0 && !(plan.Run && plan.CatchUp))
        {
            var missed = new ScheduleRun
            {
                ScheduleId = schedule.Id, DueAt = plan.FirstMissed ?? plan.DueAt, StartedAt = now, FinishedAt = now,
                Outcome = ScheduleRunOutcome.Skipped, Detail = MissedText(plan, zone) + (plan.Run ? "; the on-time run follows" : "; catch-up is Skip"),
            };
            Track(schedule.Id, store.RecordRunAsync(schedule, missed, serverName));
            if (!plan.Run)
            {
                return;
            }
        }

        if (running.TryGetValue(schedule.Id, out var previous) && !previous.IsCompleted)
        {
            var skipped = new ScheduleRun
            {
                ScheduleId = schedule.Id, DueAt = plan.DueAt, StartedAt = now, FinishedAt = now, CatchUp = plan.CatchUp,
                Outcome = ScheduleRunOutcome.Skipped, Detail = "the previous run of this schedule is still going",
            };
            Track(schedule.Id, store.RecordRunAsync(schedule, skipped, serverName));
            return;
        }

        Track(schedule.Id, Task.Run(() => RunAsync(schedule, serverName, zone, plan, cancellationToken), CancellationToken.None));
    }

    private void Track(int scheduleId, Task task)
    {
        // One entry per schedule: a skipped-record task is replaced by the run that follows it, which is awaited on stop anyway.
        running[scheduleId] = running.TryGetValue(scheduleId, out var earlier) && !earlier.IsCompleted ? Task.WhenAll(earlier, task) : task;
    }

    private async Task RunAsync(Schedule schedule, string serverName, TimeZoneInfo zone, DuePlan plan, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        ActionOutcome outcome;
        try
        {
            logger.LogInformation("Schedule {ScheduleId} ({Action}) on server {ServerId} runs{CatchUp}", schedule.Id, schedule.Action, schedule.ServerId, plan.CatchUp ? " to catch up" : "");
            outcome = await actions.RunAsync(schedule, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = ActionOutcome.Failed("the dashboard stopped during the run");
        }
        catch (Exception e)
        {
            logger.LogError(e, "Schedule {ScheduleId} failed", schedule.Id);
            outcome = ActionOutcome.Failed("an internal error (details in the dashboard log)");
        }

        var detail = plan.CatchUp ? $"{MissedText(plan, zone)}; ran once to catch up: {outcome.Detail}" : outcome.Detail;
        await store.RecordRunAsync(schedule, new ScheduleRun
        {
            ScheduleId = schedule.Id, DueAt = plan.DueAt, StartedAt = started, FinishedAt = time.GetUtcNow(),
            Outcome = outcome.Outcome, CatchUp = plan.CatchUp, Detail = detail,
        }, serverName);
    }

    private async Task SleepAsync(DateTimeOffset wake, Task signal, CancellationToken stoppingToken)
    {
        using var sleep = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        // Measured from now, not from the start of the pass: a pass that took a while (a slow disk, a busy host) must not
        // push the wake-up back by its own length.
        var now = time.GetUtcNow();
        var delay = wake > now ? wake - now : TimeSpan.Zero;
        var timer = Task.Delay(delay, time, sleep.Token);
        sleeping = new RunnerSleep(wake, Interlocked.Increment(ref generation));
        try
        {
            await Task.WhenAny(timer, signal);
        }
        finally
        {
            sleeping = null;
            sleep.Cancel(); // the timer of a sleep cut short by a change must not linger
        }

        stoppingToken.ThrowIfCancellationRequested();
    }

    private void OnChanged()
    {
        var previous = Interlocked.Exchange(ref changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }

    private static string MissedText(DuePlan plan, TimeZoneInfo zone)
    {
        var count = plan.MissedCapped ? $"at least {plan.Missed.ToString(CultureInfo.InvariantCulture)} runs" : plan.Missed == 1 ? "1 run" : $"{plan.Missed} runs";
        var first = plan.FirstMissed is { } at ? $" (the first due {Local(at, zone)})" : "";
        return $"missed {count} while the dashboard was not running{first}";
    }

    private static string Local(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);
}
