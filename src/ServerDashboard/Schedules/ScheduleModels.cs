namespace ServerDashboard.Schedules;

/// <summary>
/// The body of <c>POST/PUT /api/v1/servers/{id}/schedules</c>: exactly one of <see cref="Cron"/> and <see cref="RunAt"/>.
/// Text fields are read as text and checked here, so a wrong value is a 400 naming the field, never a 500.
/// </summary>
public sealed record ScheduleBody
{
    public string? Name { get; init; }

    public string? Cron { get; init; }

    /// <summary>A one-time schedule's time (with cron null).</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>Null: UTC.</summary>
    public string? TimeZone { get; init; }

    /// <summary>Start, Stop, Restart, Command, Backup or Job.</summary>
    public string? Action { get; init; }

    public string? Command { get; init; }

    public string? JobType { get; init; }

    public bool? OnlyIfRunning { get; init; }

    /// <summary>Null: true.</summary>
    public bool? SkipIfPowerActionInProgress { get; init; }

    /// <summary>Skip (the default) or RunOnce.</summary>
    public string? CatchUp { get; init; }

    /// <summary>Null: true.</summary>
    public bool? Enabled { get; init; }

    public static ScheduleBody From(Schedule s) => new()
    {
        Name = s.Name,
        Cron = s.Cron,
        RunAt = s.RunAt,
        TimeZone = s.TimeZone,
        Action = s.Action.ToString(),
        Command = s.Command,
        JobType = s.JobType,
        OnlyIfRunning = s.OnlyIfRunning,
        SkipIfPowerActionInProgress = s.SkipIfPowerActionInProgress,
        CatchUp = s.CatchUp.ToString(),
        Enabled = s.Enabled,
    };
}

/// <summary>One run as the API shows it.</summary>
public sealed record ScheduleRunView(long Id, DateTimeOffset DueAt, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string Outcome, bool CatchUp, string Detail)
{
    public static ScheduleRunView From(ScheduleRun r) => new(r.Id, r.DueAt, r.StartedAt, r.FinishedAt, r.Outcome.ToString(), r.CatchUp, r.Detail);
}

/// <summary>A schedule as the API shows it: the body's fields plus <c>id</c>, <c>nextRunAt</c> and <c>lastRun</c>.</summary>
public sealed record ScheduleView(
    int Id,
    int ServerId,
    string? ServerName,
    string Name,
    string? Cron,
    DateTimeOffset? RunAt,
    string TimeZone,
    string Action,
    string? Command,
    string? JobType,
    bool OnlyIfRunning,
    bool SkipIfPowerActionInProgress,
    string CatchUp,
    bool Enabled,
    DateTimeOffset? NextRunAt,
    ScheduleRunView? LastRun,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The outcome of a create or update: the saved schedule, or errors keyed by field, or not found.</summary>
public sealed record ScheduleChange(ScheduleView? Schedule, Dictionary<string, string[]> Errors, bool NotFound = false)
{
    public bool Succeeded => Schedule is not null;
}
