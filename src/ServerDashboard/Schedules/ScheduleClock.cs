using System.Text.RegularExpressions;
using Cronos;

namespace ServerDashboard.Schedules;

/// <summary>What the scheduler does about one schedule at one moment (see <see cref="ScheduleClock.Plan"/>).</summary>
/// <param name="Run">Run the action now.</param>
/// <param name="DueAt">The occurrence the run stands for (the on-time one, or the latest missed one when catching up).</param>
/// <param name="CatchUp">The run is a late one for occurrences missed while the dashboard was down.</param>
/// <param name="Missed">How many occurrences were missed (capped at <see cref="ScheduleClock.MissedCountCap"/>).</param>
/// <param name="HandledUpTo">Every occurrence up to this instant is dealt with by this plan.</param>
public sealed record DuePlan(bool Run, DateTimeOffset DueAt, bool CatchUp, int Missed, DateTimeOffset? FirstMissed, DateTimeOffset HandledUpTo)
{
    public bool MissedCapped => Missed >= ScheduleClock.MissedCountCap;
}

/// <summary>
/// Cron and time-zone arithmetic for schedules, on Cronos. Occurrences are instants: Cronos maps the wall-clock fields
/// through the zone, so a time in the hour skipped when clocks go forward runs at the first instant after the jump, and
/// a time in the hour repeated when clocks go back runs once (at its first, summer-time instant). Each occurrence is
/// handled once because the scheduler remembers the last instant it dealt with (<see cref="Schedule.LastDueAt"/>).
/// </summary>
public static partial class ScheduleClock
{
    public const int MissedCountCap = 10_000;

    /// <summary>Null and an error when <paramref name="text"/> is not a 5-field cron expression (or a macro such as @daily).</summary>
    public static CronExpression? ParseCron(string? text, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "The cron expression is empty.";
            return null;
        }

        if (text.Length > ScheduleValidator.MaxCronLength)
        {
            error = $"The cron expression is longer than {ScheduleValidator.MaxCronLength} characters.";
            return null;
        }

        try
        {
            return CronExpression.Parse(text.Trim(), CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            error = $"'{text}' is not a cron expression of 5 fields (minute hour day-of-month month day-of-week): {e.Message}";
            return null;
        }
    }

    /// <summary>
    /// An IANA zone such as Europe/Berlin (or UTC). The id is checked against a plain pattern first: on Linux the
    /// runtime reads /usr/share/zoneinfo/&lt;id&gt;, and a hostile id must never become a path elsewhere.
    /// </summary>
    public static TimeZoneInfo? FindZone(string? id, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(id) || id.Length > ScheduleValidator.MaxTimeZoneLength || !ZoneIdPattern().IsMatch(id) || id.Contains(".."))
        {
            error = $"'{id}' is not a time zone id (an IANA name such as Europe/Berlin, or UTC).";
            return null;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            error = $"Unknown time zone '{id}' (an IANA name such as Europe/Berlin, or UTC).";
            return null;
        }
    }

    /// <summary>The next <paramref name="count"/> occurrences after <paramref name="from"/> (for previews).</summary>
    public static IReadOnlyList<DateTimeOffset> Upcoming(CronExpression cron, TimeZoneInfo zone, DateTimeOffset from, int count)
    {
        var list = new List<DateTimeOffset>(count);
        var at = from;
        while (list.Count < count && cron.GetNextOccurrence(at, zone) is { } next)
        {
            list.Add(next);
            at = next;
        }

        return list;
    }

    /// <summary>The first occurrence the scheduler has not dealt with yet (possibly in the past), or null: never again.</summary>
    public static DateTimeOffset? NextDue(Schedule schedule, CronExpression? cron, TimeZoneInfo zone)
    {
        if (!schedule.Enabled)
        {
            return null;
        }

        if (cron is null)
        {
            // A one-time schedule runs once, and only if its time lies after its last edit (an edit of a finished one
            // must not run it again).
            return schedule.LastDueAt is null && schedule.RunAt is { } runAt && runAt > schedule.UpdatedAt ? runAt : null;
        }

        return cron.GetNextOccurrence(Anchor(schedule), zone);
    }

    /// <summary>The next run as the UI and API show it: the first pending occurrence, never one already dealt with.</summary>
    public static DateTimeOffset? NextRun(Schedule schedule)
    {
        if (FindZone(schedule.TimeZone, out _) is not { } zone)
        {
            return null;
        }

        var cron = schedule.Cron is null ? null : ParseCron(schedule.Cron, out _);
        if (schedule.Cron is not null && cron is null)
        {
            return null;
        }

        return NextDue(schedule, cron, zone);
    }

    /// <summary>
    /// What to do at <paramref name="now"/>: null when nothing is due. An occurrence at most <paramref name="missedAfter"/>
    /// old runs on time; older ones were missed and follow <see cref="Schedule.CatchUp"/> (skip, or run once for all).
    /// </summary>
    public static DuePlan? Plan(Schedule schedule, CronExpression? cron, TimeZoneInfo zone, DateTimeOffset now, TimeSpan missedAfter)
    {
        if (NextDue(schedule, cron, zone) is not { } first || first > now)
        {
            return null;
        }

        var lateStart = now - missedAfter;
        if (cron is null)
        {
            return first >= lateStart
                ? new DuePlan(true, first, false, 0, null, first)
                : new DuePlan(schedule.CatchUp == CatchUpMode.RunOnce, first, true, 1, first, first);
        }

        var anchor = Anchor(schedule);
        DateTimeOffset? onTime = null;
        foreach (var occurrence in cron.GetOccurrences(anchor > lateStart ? anchor : lateStart, now, zone, fromInclusive: false, toInclusive: true))
        {
            onTime = occurrence;
        }

        var missed = 0;
        DateTimeOffset? lastMissed = null;
        if (first <= lateStart)
        {
            foreach (var occurrence in cron.GetOccurrences(anchor, lateStart, zone, fromInclusive: false, toInclusive: true))
            {
                lastMissed = occurrence;
                if (++missed >= MissedCountCap)
                {
                    break; // years of every-minute runs: the count says "at least", the plan still covers all of them
                }
            }
        }

        if (onTime is { } due)
        {
            return new DuePlan(true, due, false, missed, missed > 0 ? first : null, due);
        }

        var handled = missed >= MissedCountCap ? lateStart : lastMissed ?? lateStart;
        return new DuePlan(schedule.CatchUp == CatchUpMode.RunOnce, lastMissed ?? first, true, missed, first, handled);
    }

    private static DateTimeOffset Anchor(Schedule schedule) => schedule.LastDueAt ?? schedule.UpdatedAt;

    [GeneratedRegex(@"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$")]
    private static partial Regex ZoneIdPattern();
}
