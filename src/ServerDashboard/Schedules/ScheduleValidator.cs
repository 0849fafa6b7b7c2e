using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;
using ServerDashboard.Servers;

namespace ServerDashboard.Schedules;

/// <summary>
/// Checks a <see cref="ScheduleBody"/> and turns it into field values: errors are keyed by the JSON field name and say
/// what is wrong and what would be right.
/// </summary>
public static class ScheduleValidator
{
    public const int MaxNameLength = 100;
    public const int MaxCronLength = 120;
    public const int MaxTimeZoneLength = 64;

    /// <summary>Applies <paramref name="body"/> to <paramref name="target"/> when valid; returns the errors (empty: valid).</summary>
    /// <param name="runAtChanged">False when the one-time <c>runAt</c> is the stored one (a finished one-time schedule stays editable).</param>
    public static async Task<Dictionary<string, string[]>> ApplyAsync(
        ScheduleBody body, Schedule target, DashboardDbContext db, int serverId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        var name = body.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            Add("name", "A name is required (e.g. \"nightly restart\").");
        }
        else if (name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            Add("name", $"The name must be at most {MaxNameLength} characters without control characters.");
        }

        var zoneId = string.IsNullOrWhiteSpace(body.TimeZone) ? "UTC" : body.TimeZone.Trim();
        if (ScheduleClock.FindZone(zoneId, out var zoneError) is null)
        {
            Add("timeZone", zoneError!);
        }

        var cronText = string.IsNullOrWhiteSpace(body.Cron) ? null : body.Cron.Trim();
        if (cronText is null && body.RunAt is null)
        {
            Add("cron", "Give a cron expression (e.g. \"0 4 * * *\") or, for a one-time schedule, runAt.");
        }
        else if (cronText is not null && body.RunAt is not null)
        {
            Add("runAt", "Give either cron or runAt, not both.");
        }
        else if (cronText is not null)
        {
            if (ScheduleClock.ParseCron(cronText, out var cronError) is not { } cron)
            {
                Add("cron", cronError!);
            }
            else if (cron.GetNextOccurrence(now, TimeZoneInfo.Utc) is null)
            {
                Add("cron", $"'{cronText}' never occurs (e.g. 30 February).");
            }
        }
        else if (body.RunAt is { } runAt && runAt != target.RunAt && runAt <= now && body.Enabled != false)
        {
            Add("runAt", "runAt must be in the future.");
        }

        ScheduleAction? action = null;
        if (string.IsNullOrWhiteSpace(body.Action)
            || !Enum.TryParse<ScheduleAction>(body.Action.Trim(), ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(body.Action, out _))
        {
            Add("action", $"action must be one of {string.Join(", ", Enum.GetNames<ScheduleAction>())}.");
        }
        else
        {
            action = parsed;
        }

        CatchUpMode catchUp = CatchUpMode.Skip;
        if (body.CatchUp is { } catchUpText
            && (!Enum.TryParse(catchUpText.Trim(), ignoreCase: true, out catchUp) || !Enum.IsDefined(catchUp) || int.TryParse(catchUpText, out _)))
        {
            Add("catchUp", $"catchUp must be one of {string.Join(", ", Enum.GetNames<CatchUpMode>())}.");
        }

        var command = string.IsNullOrEmpty(body.Command) ? null : body.Command;
        var jobType = string.IsNullOrWhiteSpace(body.JobType) ? null : body.JobType.Trim();
        if (action == ScheduleAction.Command)
        {
            if (ConsoleCommands.Validate(command) is { } commandError)
            {
                Add("command", "A Command schedule needs a console command: " + commandError);
            }
        }
        else if (command is not null)
        {
            Add("command", "command is only for the action Command.");
        }

        if (action == ScheduleAction.Job)
        {
            if (jobType is null)
            {
                Add("jobType", "A Job schedule needs the name of a job type (see GET /api/v1/job-types).");
            }
            else if (jobType.Length > 64
                     || !await db.JobTypes.AsNoTracking().AnyAsync(t => t.Name == jobType && (t.ServerId == null || t.ServerId == serverId), cancellationToken))
            {
                Add("jobType", $"No job type named '{jobType}' that this server may run (a type bound to another server does not count).");
            }
        }
        else if (jobType is not null)
        {
            Add("jobType", "jobType is only for the action Job.");
        }

        if (action == ScheduleAction.Start && body.OnlyIfRunning == true)
        {
            Add("onlyIfRunning", "A Start schedule cannot be \"only if running\".");
        }

        if (errors.Count > 0)
        {
            return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
        }

        target.ServerId = serverId;
        target.Name = name!;
        target.Cron = cronText;
        target.RunAt = cronText is null ? body.RunAt : null;
        target.TimeZone = zoneId;
        target.Action = action!.Value;
        target.Command = command;
        target.JobType = jobType;
        target.OnlyIfRunning = body.OnlyIfRunning ?? false;
        target.SkipIfPowerActionInProgress = body.SkipIfPowerActionInProgress ?? true;
        target.CatchUp = catchUp;
        target.Enabled = body.Enabled ?? true;
        return [];
    }
}
