using ServerDashboard.Schedules;

namespace ServerDashboard.Tests.Schedules;

/// <summary>Cron, zones and what is due when (pure: no store, no clock).</summary>
public sealed class ScheduleClockTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static Schedule Cron(string cron, DateTimeOffset since, CatchUpMode catchUp = CatchUpMode.Skip) =>
        new() { Name = "t", Cron = cron, TimeZone = "Europe/Berlin", UpdatedAt = since, CreatedAt = since, CatchUp = catchUp };

    [Fact]
    public void A_daily_time_in_the_hour_skipped_by_spring_forward_runs_once_that_day_right_after_the_jump()
    {
        // 2026-03-29 in Berlin: 02:00 CET becomes 03:00 CEST; 02:30 does not exist that day.
        var cron = ScheduleClock.ParseCron("30 2 * * *", out _)!;

        var runs = ScheduleClock.Upcoming(cron, Berlin, DateTimeOffset.Parse("2026-03-28T00:00:00Z"), 3);

        Assert.Equal(
        [
            DateTimeOffset.Parse("2026-03-28T01:30:00Z"), // 02:30 CET
            DateTimeOffset.Parse("2026-03-29T01:00:00Z"), // 03:00 CEST, the first instant after the gap
            DateTimeOffset.Parse("2026-03-30T00:30:00Z"), // 02:30 CEST
        ], runs);
    }

    [Fact]
    public void A_daily_time_in_the_hour_repeated_by_fall_back_runs_exactly_once_that_day()
    {
        // 2026-10-25 in Berlin: 03:00 CEST becomes 02:00 CET; 02:30 happens twice (00:30Z and 01:30Z).
        var cron = ScheduleClock.ParseCron("30 2 * * *", out _)!;

        var runs = ScheduleClock.Upcoming(cron, Berlin, DateTimeOffset.Parse("2026-10-24T12:00:00Z"), 2);

        Assert.Equal([DateTimeOffset.Parse("2026-10-25T00:30:00Z"), DateTimeOffset.Parse("2026-10-26T01:30:00Z")], runs);
    }

    [Theory]
    [InlineData("0 4 * *")]
    [InlineData("0 0 4 * * *")]
    [InlineData("61 * * * *")]
    [InlineData("every day")]
    [InlineData("")]
    public void Anything_but_five_cron_fields_is_refused_with_a_reason(string text)
    {
        Assert.Null(ScheduleClock.ParseCron(text, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData("../../../etc/passwd")]
    [InlineData("/etc/localtime")]
    [InlineData("Europe/../../etc/passwd")]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("Europe/Berlin\n")]
    [InlineData("")]
    public void A_time_zone_must_be_a_known_plain_id_never_a_path(string id)
    {
        Assert.Null(ScheduleClock.FindZone(id, out var error));
        Assert.Contains("time zone", error);
    }

    [Fact]
    public void An_occurrence_due_now_runs_on_time()
    {
        var schedule = Cron("0 4 * * *", DateTimeOffset.Parse("2026-12-01T00:00:00Z"));
        var now = DateTimeOffset.Parse("2026-12-01T03:00:05Z"); // 04:00:05 CET

        var plan = ScheduleClock.Plan(schedule, ScheduleClock.ParseCron(schedule.Cron, out _), Berlin, now, TimeSpan.FromMinutes(2))!;

        Assert.True(plan.Run);
        Assert.False(plan.CatchUp);
        Assert.Equal(0, plan.Missed);
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T03:00:00Z"), plan.DueAt);
    }

    [Fact]
    public void Nothing_is_due_before_the_first_occurrence_after_the_last_edit()
    {
        var schedule = Cron("0 4 * * *", DateTimeOffset.Parse("2026-12-01T03:30:00Z"));

        Assert.Null(ScheduleClock.Plan(schedule, ScheduleClock.ParseCron(schedule.Cron, out _), Berlin, DateTimeOffset.Parse("2026-12-02T02:59:59Z"), TimeSpan.FromMinutes(2)));
    }

    [Theory]
    [InlineData(CatchUpMode.Skip, false)]
    [InlineData(CatchUpMode.RunOnce, true)]
    public void Occurrences_missed_while_down_are_skipped_or_run_once_as_the_schedule_says(CatchUpMode mode, bool runs)
    {
        var schedule = Cron("0 4 * * *", DateTimeOffset.Parse("2026-12-01T00:00:00Z"), mode);
        var now = DateTimeOffset.Parse("2026-12-04T10:00:00Z"); // 4:00 on the 1st, 2nd, 3rd and 4th were missed

        var plan = ScheduleClock.Plan(schedule, ScheduleClock.ParseCron(schedule.Cron, out _), Berlin, now, TimeSpan.FromMinutes(2))!;

        Assert.Equal(runs, plan.Run);
        Assert.True(plan.CatchUp);
        Assert.Equal(4, plan.Missed);
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T03:00:00Z"), plan.FirstMissed);
        Assert.Equal(DateTimeOffset.Parse("2026-12-04T03:00:00Z"), plan.DueAt);
        Assert.Equal(plan.DueAt, plan.HandledUpTo);
    }

    [Fact]
    public void Years_of_missed_every_minute_runs_are_counted_up_to_a_cap_and_still_all_handled()
    {
        var schedule = Cron("* * * * *", DateTimeOffset.Parse("2020-01-01T00:00:00Z"));
        var now = DateTimeOffset.Parse("2026-12-01T00:00:30Z");

        var plan = ScheduleClock.Plan(schedule, ScheduleClock.ParseCron(schedule.Cron, out _), Berlin, now, TimeSpan.FromMinutes(2))!;

        Assert.True(plan.MissedCapped);
        Assert.True(plan.Run); // 00:00 is on time
        Assert.False(plan.CatchUp);
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T00:00:00Z"), plan.HandledUpTo);
    }

    [Fact]
    public void A_one_time_schedule_runs_once_and_an_edit_after_its_time_does_not_run_it_again()
    {
        var at = DateTimeOffset.Parse("2026-12-01T12:00:00Z");
        var schedule = new Schedule { Name = "once", RunAt = at, TimeZone = "UTC", UpdatedAt = at.AddHours(-1) };

        var plan = ScheduleClock.Plan(schedule, null, TimeZoneInfo.Utc, at.AddSeconds(1), TimeSpan.FromMinutes(2))!;
        Assert.True(plan.Run);
        schedule.LastDueAt = plan.HandledUpTo;
        Assert.Null(ScheduleClock.NextDue(schedule, null, TimeZoneInfo.Utc));

        schedule.LastDueAt = null; // what an edit does
        schedule.UpdatedAt = at.AddHours(1);
        Assert.Null(ScheduleClock.Plan(schedule, null, TimeZoneInfo.Utc, at.AddHours(2), TimeSpan.FromMinutes(2)));
    }

    [Fact]
    public void A_disabled_schedule_has_no_next_run()
    {
        var schedule = Cron("0 4 * * *", DateTimeOffset.Parse("2026-12-01T00:00:00Z"));
        schedule.Enabled = false;

        Assert.Null(ScheduleClock.NextDue(schedule, ScheduleClock.ParseCron(schedule.Cron, out _), Berlin));
    }
}
