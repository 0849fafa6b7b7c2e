using System.Globalization;
using ServerDashboard.Schedules;

namespace ServerDashboard.Components.Schedules;

/// <summary>The editor's state: text as typed, turned into a <see cref="ScheduleBody"/> on save.</summary>
public sealed class ScheduleForm
{
    public const string RunAtFormat = "yyyy-MM-ddTHH:mm";

    public string Name { get; set; } = "";

    /// <summary>True: a cron expression; false: once at <see cref="RunAtLocal"/>.</summary>
    public bool Repeating { get; set; } = true;

    public string Cron { get; set; } = "0 4 * * *";

    public string TimeZone { get; set; } = DefaultZone();

    /// <summary>The one-time run as wall-clock time in <see cref="TimeZone"/> (an HTML datetime-local value).</summary>
    public string RunAtLocal { get; set; } = "";

    public ScheduleAction Action { get; set; } = ScheduleAction.Restart;

    public string Command { get; set; } = "";

    public string? JobType { get; set; }

    public bool OnlyIfRunning { get; set; }

    public bool SkipIfPowerActionInProgress { get; set; } = true;

    public CatchUpMode CatchUp { get; set; } = CatchUpMode.Skip;

    public bool Enabled { get; set; } = true;

    public static ScheduleForm From(ScheduleView view)
    {
        var zone = ScheduleClock.FindZone(view.TimeZone, out _) ?? TimeZoneInfo.Utc;
        return new ScheduleForm
        {
            Name = view.Name,
            Repeating = view.Cron is not null,
            Cron = view.Cron ?? "0 4 * * *",
            TimeZone = view.TimeZone,
            RunAtLocal = view.RunAt is { } at ? TimeZoneInfo.ConvertTime(at, zone).ToString(RunAtFormat, CultureInfo.InvariantCulture) : "",
            Action = Enum.Parse<ScheduleAction>(view.Action),
            Command = view.Command ?? "",
            JobType = view.JobType,
            OnlyIfRunning = view.OnlyIfRunning,
            SkipIfPowerActionInProgress = view.SkipIfPowerActionInProgress,
            CatchUp = Enum.Parse<CatchUpMode>(view.CatchUp),
            Enabled = view.Enabled,
        };
    }

    /// <summary>The body to save, or an error for <c>runAt</c> when the one-time time cannot be read.</summary>
    public (ScheduleBody? Body, string? RunAtError) ToBody()
    {
        DateTimeOffset? runAt = null;
        if (!Repeating)
        {
            if (!DateTime.TryParseExact(RunAtLocal, [RunAtFormat, RunAtFormat + ":ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            {
                return (null, "Pick the date and time of the run.");
            }

            var zone = ScheduleClock.FindZone(TimeZone, out _) ?? TimeZoneInfo.Utc;
            if (zone.IsInvalidTime(local))
            {
                return (null, $"{RunAtLocal} does not exist in {TimeZone} (the clocks skip it).");
            }

            runAt = new DateTimeOffset(local, zone.GetUtcOffset(local));
        }

        return (new ScheduleBody
        {
            Name = Name,
            Cron = Repeating ? Cron : null,
            RunAt = runAt,
            TimeZone = TimeZone,
            Action = Action.ToString(),
            Command = Action == ScheduleAction.Command ? Command : null,
            JobType = Action == ScheduleAction.Job ? JobType : null,
            OnlyIfRunning = Action != ScheduleAction.Start && OnlyIfRunning,
            SkipIfPowerActionInProgress = SkipIfPowerActionInProgress,
            CatchUp = CatchUp.ToString(),
            Enabled = Enabled,
        }, null);
    }

    /// <summary>The dashboard host's zone when it has a usable IANA id, else UTC.</summary>
    private static string DefaultZone() =>
        ScheduleClock.FindZone(TimeZoneInfo.Local.Id, out _) is not null ? TimeZoneInfo.Local.Id : "UTC";
}

/// <summary>How schedules and runs read in the UI.</summary>
public static class ScheduleText
{
    public static string When(ScheduleView s) =>
        s.Cron is { } cron ? $"{cron} ({s.TimeZone})" : s.RunAt is { } at ? $"once, {Local(at, s.TimeZone)}" : "once";

    public static string What(ScheduleView s) => s.Action switch
    {
        "Command" => $"Command: {s.Command}",
        "Job" => $"Job: {s.JobType}",
        _ => s.Action,
    };

    /// <summary>An instant as wall-clock time in the schedule's zone, with its offset (DST shows).</summary>
    public static string Local(DateTimeOffset at, string zoneId)
    {
        var zone = ScheduleClock.FindZone(zoneId, out _) ?? TimeZoneInfo.Utc;
        return TimeZoneInfo.ConvertTime(at, zone).ToString("ddd yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);
    }

    public static MudBlazor.Color OutcomeColor(string outcome) => outcome switch
    {
        "Succeeded" => MudBlazor.Color.Success,
        "Failed" => MudBlazor.Color.Error,
        _ => MudBlazor.Color.Default,
    };
}
