namespace ServerDashboard.Schedules;

/// <summary>"Dashboard:Schedules" (docs/configuration.md).</summary>
public sealed class ScheduleOptions
{
    public const string SectionName = "Dashboard:Schedules";

    /// <summary>False: schedules can be edited but none runs (e.g. on a standby copy of the dashboard).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How many runs of each schedule the history keeps (older ones are deleted as new ones are recorded).</summary>
    public int RunHistoryPerSchedule { get; set; } = 100;

    /// <summary>
    /// A run found this many seconds after its time still counts as on time; older ones were missed (the dashboard was
    /// down or the machine asleep) and follow the schedule's catch-up setting.
    /// </summary>
    public int MissedAfterSeconds { get; set; } = 120;
}
