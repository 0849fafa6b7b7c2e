using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;

namespace ServerDashboard.Schedules;

/// <summary>What a schedule does to its server when it is due.</summary>
public enum ScheduleAction
{
    Start,
    Stop,
    Restart,
    Command,
    Backup,
    Job,
}

/// <summary>What happens to runs that fell due while the dashboard was not running (docs/schedules.md).</summary>
public enum CatchUpMode
{
    /// <summary>Missed runs are recorded as skipped; the schedule goes on at its next time.</summary>
    Skip,

    /// <summary>However many were missed, the action runs once as soon as the dashboard is back.</summary>
    RunOnce,
}

public enum ScheduleRunOutcome
{
    Succeeded,
    Failed,
    Skipped,
}

/// <summary>
/// A per-server scheduled task: a 5-field cron expression in a time zone, or one time (<see cref="RunAt"/>).
/// Deleted with its server (cascade).
/// </summary>
public sealed class Schedule
{
    public int Id { get; set; }

    public int ServerId { get; set; }

    public required string Name { get; set; }

    /// <summary>5 fields (minute hour day-of-month month day-of-week); null for a one-time schedule.</summary>
    public string? Cron { get; set; }

    /// <summary>The one time a schedule without <see cref="Cron"/> runs.</summary>
    public DateTimeOffset? RunAt { get; set; }

    /// <summary>An IANA id such as Europe/Berlin; the cron fields are read as wall-clock times there.</summary>
    public string TimeZone { get; set; } = "UTC";

    public ScheduleAction Action { get; set; }

    /// <summary>The console command of <see cref="ScheduleAction.Command"/>.</summary>
    public string? Command { get; set; }

    /// <summary>The job type of <see cref="ScheduleAction.Job"/>.</summary>
    public string? JobType { get; set; }

    /// <summary>Skip the run when the server is not Running.</summary>
    public bool OnlyIfRunning { get; set; }

    /// <summary>Skip the run while a start, stop or restart of the server is under way.</summary>
    public bool SkipIfPowerActionInProgress { get; set; } = true;

    public CatchUpMode CatchUp { get; set; }

    public bool Enabled { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Creation or last edit: the first occurrence considered is the first one after this.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The latest occurrence the scheduler has dealt with (run or skipped); null before the first.</summary>
    public DateTimeOffset? LastDueAt { get; set; }

    internal static void Configure(ModelBuilder builder)
    {
        builder.Entity<Schedule>(schedule =>
        {
            schedule.ToTable("Schedules");
            schedule.HasIndex(s => s.ServerId);
            schedule.HasOne<ServerDefinition>().WithMany().HasForeignKey(s => s.ServerId).OnDelete(DeleteBehavior.Cascade);
            schedule.Property(s => s.Name).HasMaxLength(ScheduleValidator.MaxNameLength);
            schedule.Property(s => s.Cron).HasMaxLength(ScheduleValidator.MaxCronLength);
            schedule.Property(s => s.TimeZone).HasMaxLength(ScheduleValidator.MaxTimeZoneLength);
            schedule.Property(s => s.Action).HasConversion<string>().HasMaxLength(16);
            schedule.Property(s => s.CatchUp).HasConversion<string>().HasMaxLength(16);
            schedule.Property(s => s.Command).HasMaxLength(4096);
            schedule.Property(s => s.JobType).HasMaxLength(64);
        });
        builder.Entity<ScheduleRun>(run =>
        {
            run.ToTable("ScheduleRuns");
            run.HasIndex(r => new { r.ScheduleId, r.Id });
            run.HasOne<Schedule>().WithMany().HasForeignKey(r => r.ScheduleId).OnDelete(DeleteBehavior.Cascade);
            run.Property(r => r.Outcome).HasConversion<string>().HasMaxLength(16);
            run.Property(r => r.Detail).HasMaxLength(ScheduleRun.MaxDetailLength);
        });
    }
}

/// <summary>One time a schedule fell due, and what came of it. The newest per schedule are kept (Dashboard:Schedules:RunHistoryPerSchedule).</summary>
public sealed class ScheduleRun
{
    public const int MaxDetailLength = 1000;

    public long Id { get; set; }

    public int ScheduleId { get; set; }

    /// <summary>The occurrence this run is for (for a catch-up run, the latest missed one).</summary>
    public DateTimeOffset DueAt { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset FinishedAt { get; set; }

    public ScheduleRunOutcome Outcome { get; set; }

    /// <summary>Ran late, once, for occurrences missed while the dashboard was down.</summary>
    public bool CatchUp { get; set; }

    public string Detail { get; set; } = "";
}
