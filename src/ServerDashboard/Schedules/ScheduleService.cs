using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServerDashboard.Audit;
using ServerDashboard.Data;

namespace ServerDashboard.Schedules;

/// <summary>
/// Schedules and their run history in the store: create, update, delete, list (one server or all), runs. Every change
/// raises <see cref="Changed"/>, which wakes the <see cref="ScheduleRunner"/> to plan again and refreshes open pages.
/// </summary>
public sealed class ScheduleService(
    IDbContextFactory<DashboardDbContext> dbFactory,
    AuditLog audit,
    IOptions<ScheduleOptions> options,
    TimeProvider time,
    ILogger<ScheduleService> logger)
{
    public const string CreateAction = AuditActions.CreateSchedule;
    public const string UpdateAction = AuditActions.UpdateSchedule;
    public const string DeleteAction = AuditActions.DeleteSchedule;

    /// <summary>The audit action of every run (actor <c>system</c>, detail the schedule's name).</summary>
    public const string RunAction = AuditActions.ScheduledRun;

    public const int MaxRunsTake = 1000;

    /// <summary>A schedule was created, changed, deleted or ran. Handlers must be quick and must not throw.</summary>
    public event Action? Changed;

    public async Task<IReadOnlyList<ScheduleView>?> ListAsync(int serverId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Servers.AnyAsync(s => s.Id == serverId, cancellationToken))
        {
            return null;
        }

        return await ViewsAsync(db, db.Set<Schedule>().Where(s => s.ServerId == serverId), cancellationToken);
    }

    /// <summary>Every schedule of every server, by server name then schedule name.</summary>
    public async Task<IReadOnlyList<ScheduleView>> ListAllAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await ViewsAsync(db, db.Set<Schedule>(), cancellationToken);
    }

    public async Task<ScheduleView?> GetAsync(int serverId, int scheduleId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var views = await ViewsAsync(db, db.Set<Schedule>().Where(s => s.ServerId == serverId && s.Id == scheduleId), cancellationToken);
        return views.FirstOrDefault();
    }

    /// <summary>Newest first; null when the schedule does not exist on that server.</summary>
    public async Task<IReadOnlyList<ScheduleRunView>?> RunsAsync(int serverId, int scheduleId, int take, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Set<Schedule>().AnyAsync(s => s.ServerId == serverId && s.Id == scheduleId, cancellationToken))
        {
            return null;
        }

        var runs = await db.Set<ScheduleRun>().AsNoTracking().Where(r => r.ScheduleId == scheduleId)
            .OrderByDescending(r => r.Id).Take(Math.Clamp(take, 1, MaxRunsTake)).ToListAsync(cancellationToken);
        return runs.Select(ScheduleRunView.From).ToList();
    }

    public async Task<ScheduleChange> CreateAsync(int serverId, ScheduleBody body, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var serverName = await db.Servers.AsNoTracking().Where(s => s.Id == serverId).Select(s => s.Name).FirstOrDefaultAsync(cancellationToken);
        if (serverName is null)
        {
            return new ScheduleChange(null, [], NotFound: true);
        }

        var now = time.GetUtcNow();
        var schedule = new Schedule { Name = "" };
        var errors = await ScheduleValidator.ApplyAsync(body, schedule, db, serverId, now, cancellationToken);
        if (errors.Count > 0)
        {
            return new ScheduleChange(null, errors);
        }

        schedule.CreatedAt = schedule.UpdatedAt = now;
        db.Add(schedule);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(actor, CreateAction, serverId, serverName, Describe(schedule), true, "saved");
        RaiseChanged();
        return new ScheduleChange(ToView(schedule, serverName, null), []);
    }

    /// <summary>An edit starts the schedule afresh: occurrences before it are not "missed".</summary>
    public async Task<ScheduleChange> UpdateAsync(int serverId, int scheduleId, ScheduleBody body, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var schedule = await db.Set<Schedule>().FirstOrDefaultAsync(s => s.ServerId == serverId && s.Id == scheduleId, cancellationToken);
        if (schedule is null)
        {
            return new ScheduleChange(null, [], NotFound: true);
        }

        var now = time.GetUtcNow();
        var errors = await ScheduleValidator.ApplyAsync(body, schedule, db, serverId, now, cancellationToken);
        if (errors.Count > 0)
        {
            return new ScheduleChange(null, errors);
        }

        schedule.UpdatedAt = now;
        schedule.LastDueAt = null;
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(actor, UpdateAction, serverId, null, Describe(schedule), true, "saved");
        RaiseChanged();
        return (await GetAsync(serverId, scheduleId, cancellationToken)) is { } view ? new ScheduleChange(view, []) : new ScheduleChange(null, [], NotFound: true);
    }

    /// <summary>Turns a schedule on or off (the list's toggle); false when it does not exist.</summary>
    public async Task<bool> SetEnabledAsync(int serverId, int scheduleId, bool enabled, AuditActor actor, CancellationToken cancellationToken)
    {
        var current = await GetAsync(serverId, scheduleId, cancellationToken);
        if (current is null)
        {
            return false;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var changed = await db.Set<Schedule>().Where(s => s.Id == scheduleId && s.ServerId == serverId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Enabled, enabled).SetProperty(s => s.UpdatedAt, time.GetUtcNow()).SetProperty(s => s.LastDueAt, (DateTimeOffset?)null), cancellationToken);
        await audit.RecordAsync(actor, UpdateAction, serverId, current.ServerName, $"{current.Name}: {(enabled ? "enabled" : "disabled")}", true, "saved");
        RaiseChanged();
        return changed > 0;
    }

    public async Task<bool> DeleteAsync(int serverId, int scheduleId, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var schedule = await db.Set<Schedule>().AsNoTracking().FirstOrDefaultAsync(s => s.ServerId == serverId && s.Id == scheduleId, cancellationToken);
        if (schedule is null)
        {
            return false;
        }

        await db.Set<Schedule>().Where(s => s.Id == scheduleId).ExecuteDeleteAsync(cancellationToken); // runs go by cascade
        await audit.RecordAsync(actor, DeleteAction, serverId, null, schedule.Name, true, "deleted");
        RaiseChanged();
        return true;
    }

    /// <summary>The job types a schedule of this server may run (unbound ones and the server's own), by name.</summary>
    public async Task<IReadOnlyList<string>> JobTypeNamesAsync(int serverId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.JobTypes.AsNoTracking().Where(t => t.ServerId == null || t.ServerId == serverId)
            .OrderBy(t => t.Name).Select(t => t.Name).ToListAsync(cancellationToken);
    }

    /// <summary>The next <paramref name="count"/> times a cron expression fires in a zone, for the editor's preview.</summary>
    public IReadOnlyList<DateTimeOffset> Preview(string? cron, string? timeZone, int count, out string? error)
    {
        var zone = ScheduleClock.FindZone(string.IsNullOrWhiteSpace(timeZone) ? "UTC" : timeZone.Trim(), out error);
        if (zone is null)
        {
            return [];
        }

        var expression = ScheduleClock.ParseCron(cron, out error);
        return expression is null ? [] : ScheduleClock.Upcoming(expression, zone, time.GetUtcNow(), count);
    }

    /// <summary>
    /// Records a run, audits it as <c>system</c> with the schedule's name, and keeps only the newest runs of the
    /// schedule. Never throws: a failed write is logged (the action has happened either way).
    /// </summary>
    internal async Task RecordRunAsync(Schedule schedule, ScheduleRun run, string? serverName)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            if (!await db.Set<Schedule>().AnyAsync(s => s.Id == schedule.Id))
            {
                return; // deleted (or its server deleted) while it ran: nothing to keep the run with
            }

            run.Detail = run.Detail.Length <= ScheduleRun.MaxDetailLength ? run.Detail : run.Detail[..(ScheduleRun.MaxDetailLength - 1)] + "…";
            db.Add(run);
            await db.SaveChangesAsync(CancellationToken.None);
            var keep = Math.Max(1, options.Value.RunHistoryPerSchedule);
            var oldestKept = await db.Set<ScheduleRun>().Where(r => r.ScheduleId == schedule.Id)
                .OrderByDescending(r => r.Id).Skip(keep - 1).Select(r => (long?)r.Id).FirstOrDefaultAsync();
            if (oldestKept is { } cutoff)
            {
                await db.Set<ScheduleRun>().Where(r => r.ScheduleId == schedule.Id && r.Id < cutoff).ExecuteDeleteAsync();
            }
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not record run of schedule {ScheduleId}", schedule.Id);
        }

        await audit.RecordAsync(AuditActor.System, RunAction, schedule.ServerId, serverName,
            $"schedule '{schedule.Name}': {Describe(schedule)}{(run.CatchUp ? " (catch-up)" : "")}",
            run.Outcome != ScheduleRunOutcome.Failed, $"{run.Outcome}: {run.Detail}");
        RaiseChanged();
    }

    /// <summary>Marks occurrences up to <paramref name="handledUpTo"/> as dealt with, before the run starts (a crash mid-run never runs it twice).</summary>
    internal async Task MarkHandledAsync(int scheduleId, DateTimeOffset handledUpTo, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Set<Schedule>().Where(s => s.Id == scheduleId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastDueAt, handledUpTo), cancellationToken);
    }

    /// <summary>The enabled schedules with their server names, for the runner.</summary>
    internal async Task<IReadOnlyList<(Schedule Schedule, string ServerName)>> LoadEnabledAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<Schedule>().AsNoTracking().Where(s => s.Enabled)
            .Join(db.Servers.AsNoTracking(), s => s.ServerId, server => server.Id, (s, server) => new { Schedule = s, server.Name })
            .ToListAsync(cancellationToken);
        return rows.Select(r => (r.Schedule, r.Name)).ToList();
    }

    public static string Describe(Schedule s)
    {
        var when = s.Cron is { } cron ? $"cron '{cron}' {s.TimeZone}" : $"once at {s.RunAt:yyyy-MM-dd HH:mm:ss zzz}";
        var what = s.Action switch
        {
            ScheduleAction.Command => $"Command '{s.Command}'",
            ScheduleAction.Job => $"Job {s.JobType}",
            _ => s.Action.ToString(),
        };
        return $"{s.Name}: {what}, {when}";
    }

    private void RaiseChanged()
    {
        try
        {
            Changed?.Invoke();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "A schedule change listener failed");
        }
    }

    private async Task<IReadOnlyList<ScheduleView>> ViewsAsync(DashboardDbContext db, IQueryable<Schedule> query, CancellationToken cancellationToken)
    {
        var rows = await query.AsNoTracking()
            .Join(db.Servers.AsNoTracking(), s => s.ServerId, server => server.Id, (s, server) => new { Schedule = s, ServerName = server.Name })
            .ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.Schedule.Id).ToList();
        // The newest run of each schedule: one query for the newest ids, one for those rows.
        var lastIds = await db.Set<ScheduleRun>().AsNoTracking().Where(r => ids.Contains(r.ScheduleId))
            .GroupBy(r => r.ScheduleId).Select(g => g.Max(r => r.Id)).ToListAsync(cancellationToken);
        var lastRuns = await db.Set<ScheduleRun>().AsNoTracking().Where(r => lastIds.Contains(r.Id)).ToDictionaryAsync(r => r.ScheduleId, cancellationToken);
        return rows
            .OrderBy(r => r.ServerName, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.Schedule.Name, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.Schedule.Id)
            .Select(r => ToView(r.Schedule, r.ServerName, lastRuns.GetValueOrDefault(r.Schedule.Id))).ToList();
    }

    private static ScheduleView ToView(Schedule s, string? serverName, ScheduleRun? lastRun) => new(
        s.Id, s.ServerId, serverName, s.Name, s.Cron, s.RunAt, s.TimeZone, s.Action.ToString(), s.Command, s.JobType,
        s.OnlyIfRunning, s.SkipIfPowerActionInProgress, s.CatchUp.ToString(), s.Enabled,
        ScheduleClock.NextRun(s),
        lastRun is null ? null : ScheduleRunView.From(lastRun), s.CreatedAt, s.UpdatedAt);
}
