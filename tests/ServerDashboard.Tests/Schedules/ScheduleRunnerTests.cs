using Microsoft.EntityFrameworkCore;
using ServerDashboard.Schedules;

namespace ServerDashboard.Tests.Schedules;

/// <summary>The runner on a <see cref="FakeTimeProvider"/>: it sleeps until the next due run, runs each occurrence once
/// (also across DST changes in Europe/Berlin), wakes for changes, and catches up after downtime as each schedule says.</summary>
public sealed class ScheduleRunnerTests
{
    private static ScheduleBody Daily(string cron = "30 2 * * *", string catchUp = "Skip") => new()
    {
        Name = "nightly", Cron = cron, TimeZone = "Europe/Berlin", Action = "Restart", CatchUp = catchUp,
    };

    [Fact]
    public async Task The_runner_sleeps_until_the_next_occurrence_and_runs_it_then_as_system_with_the_schedules_name()
    {
        await using var harness = new SchedulesHarness(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));
        var server = await harness.AddServerAsync("alpha");
        var schedule = await harness.CreateAsync(server, Daily("0 4 * * *"));
        await harness.StartRunnerAsync();

        // Not every second: one sleep, cut only by the longest single sleep (10 minutes), towards 04:00 CET.
        Assert.Equal(harness.Time.GetUtcNow() + ScheduleRunner.MaxSleep, harness.Runner.Sleeping!.Value.Until);
        Assert.Equal(DateTimeOffset.Parse("2026-12-02T03:00:00Z"), schedule.NextRunAt);
        await harness.AdvanceToAsync(DateTimeOffset.Parse("2026-12-02T02:59:59Z"));
        Assert.Empty(harness.Actions.Runs);

        await harness.AdvanceToAsync(DateTimeOffset.Parse("2026-12-02T03:00:00Z"));

        var run = Assert.Single(await harness.RunsAsync(schedule.Id));
        Assert.Equal(ScheduleRunOutcome.Succeeded, run.Outcome);
        Assert.Equal(DateTimeOffset.Parse("2026-12-02T03:00:00Z"), run.DueAt);
        Assert.Equal(DateTimeOffset.Parse("2026-12-02T03:00:00Z"), Assert.Single(harness.Actions.Runs).At);
        await using var db = harness.OpenDb();
        var audit = await db.AuditEntries.AsNoTracking().Where(e => e.Action == ScheduleService.RunAction).ToListAsync();
        var entry = Assert.Single(audit);
        Assert.Equal("system", entry.Actor);
        Assert.Equal(server, entry.ServerId);
        Assert.Contains("nightly", entry.Detail);
        Assert.True(entry.Success);
        var view = (await harness.Store.ListAsync(server, CancellationToken.None))!.Single();
        Assert.Equal("Succeeded", view.LastRun!.Outcome);
        Assert.Equal(DateTimeOffset.Parse("2026-12-03T03:00:00Z"), view.NextRunAt);
    }

    [Fact]
    public async Task Across_spring_forward_in_Berlin_a_time_in_the_skipped_hour_runs_exactly_once_that_night()
    {
        await using var harness = new SchedulesHarness(DateTimeOffset.Parse("2026-03-28T12:00:00Z"));
        var server = await harness.AddServerAsync("spring");
        var schedule = await harness.CreateAsync(server, Daily());
        await harness.StartRunnerAsync();

        await harness.AdvanceToAsync(DateTimeOffset.Parse("2026-03-30T12:00:00Z"));

        Assert.Equal(
            [DateTimeOffset.Parse("2026-03-29T01:00:00Z"), DateTimeOffset.Parse("2026-03-30T00:30:00Z")],
            harness.Actions.Runs.Select(r => r.At).ToList());
        Assert.All(await harness.RunsAsync(schedule.Id), r => Assert.Equal(ScheduleRunOutcome.Succeeded, r.Outcome));
    }

    [Fact]
    public async Task Across_fall_back_in_Berlin_a_time_in_the_repeated_hour_runs_exactly_once_that_night()
    {
        await using var harness = new SchedulesHarness(DateTimeOffset.Parse("2026-10-24T12:00:00Z"));
        var server = await harness.AddServerAsync("autumn");
        await harness.CreateAsync(server, Daily());
        await harness.StartRunnerAsync();

        await harness.AdvanceToAsync(DateTimeOffset.Parse("2026-10-26T12:00:00Z"));

        Assert.Equal(
            [DateTimeOffset.Parse("2026-10-25T00:30:00Z"), DateTimeOffset.Parse("2026-10-26T01:30:00Z")],
            harness.Actions.Runs.Select(r => r.At).ToList());
    }

    [Fact]
    public async Task Missed_runs_with_catch_up_Skip_are_recorded_as_skipped_and_nothing_runs_until_the_next_time()
    {
        await using var harness = new SchedulesHarness(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));
        var server = await harness.AddServerAsync("down-skip");
        var schedule = await harness.CreateAsync(server, Daily("0 4 * * *"));

        // The dashboard is down for three nights, then starts.
        harness.Time.Advance(TimeSpan.FromDays(3));
        await harness.StartRunnerAsync();
        await harness.Runner.InFlight;

        Assert.Empty(harness.Actions.Runs);
        var skipped = Assert.Single(await harness.RunsAsync(schedule.Id));
        Assert.Equal(ScheduleRunOutcome.Skipped, skipped.Outcome);
        Assert.Contains("missed 3 runs", skipped.Detail);
        await harness.AdvanceToAsync(DateTimeOffset.Parse("2026-12-05T03:00:00Z"));
        Assert.Single(harness.Actions.Runs);
    }

    [Fact]
    public async Task Missed_runs_with_catch_up_RunOnce_run_once_when_the_dashboard_is_back_then_on_schedule()
    {
        await using var harness = new SchedulesHarness(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));
        var server = await harness.AddServerAsync("down-once");
        var schedule = await harness.CreateAsync(server, Daily("0 4 * * *", catchUp: "RunOnce"));
        await harness.StartRunnerAsync();
        await harness.StopRunnerAsync();

        harness.Time.Advance(TimeSpan.FromDays(3));
        await harness.StartRunnerAsync();
        await harness.Runner.InFlight;

        var caughtUp = Assert.Single(harness.Actions.Runs);
        Assert.Equal(DateTimeOffset.Parse("2026-12-04T12:00:00Z"), caughtUp.At);
        var run = Assert.Single(await harness.RunsAsync(schedule.Id));
        Assert.True(run.CatchUp);
        Assert.Equal(ScheduleRunOutcome.Succeeded, run.Outcome);
        Assert.Contains("missed 3 runs", run.Detail);
        Assert.Equal(DateTimeOffset.Parse("2026-12-04T03:00:00Z"), run.DueAt);

        await harness.AdvanceToAsync(DateTimeOffset.Parse("2026-12-05T03:00:00Z"));
        Assert.Equal(2, harness.Actions.Runs.Count);
    }

    [Fact]
    public async Task A_new_schedule_wakes_the_sleeping_runner_to_plan_for_it()
    {
        await using var harness = new SchedulesHarness(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));
        var server = await harness.AddServerAsync("wake");
        await harness.StartRunnerAsync();
        var before = harness.Runner.Sleeping!.Value;

        var schedule = await harness.CreateAsync(server, new ScheduleBody
        {
            Name = "soon", RunAt = DateTimeOffset.Parse("2026-12-01T12:00:30Z"), Action = "Command", Command = "say hi",
        });

        var after = await harness.SleepingAsync(before.Generation);
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T12:00:30Z"), after.Until);
        await harness.AdvanceToAsync(DateTimeOffset.Parse("2026-12-01T13:00:00Z"));
        Assert.Single(harness.Actions.Runs);
        Assert.Single(await harness.RunsAsync(schedule.Id));
        Assert.Null((await harness.Store.GetAsync(server, schedule.Id, CancellationToken.None))!.NextRunAt);
    }

    [Fact]
    public async Task A_pass_that_takes_time_does_not_push_the_next_run_back_by_its_length()
    {
        await using var harness = new SchedulesHarness(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));
        var server = await harness.AddServerAsync("slow-pass");
        await harness.CreateAsync(server, new ScheduleBody
        {
            Name = "at ten past", RunAt = DateTimeOffset.Parse("2026-12-01T12:10:00Z"), Action = "Command", Command = "say hi",
        });

        // The first pass reads 12:00 and ends at 12:03: the runner must still wake at 12:10, not at 12:13.
        await harness.StartRunnerAsync(new SlowPassClock(harness.Time) { PassTakes = TimeSpan.FromMinutes(3) });
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T12:03:00Z"), harness.Time.GetUtcNow());
        var sleep = harness.Runner.Sleeping!.Value;
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T12:10:00Z"), sleep.Until);

        harness.Time.Advance(TimeSpan.FromMinutes(7));
        await harness.SleepingAsync(sleep.Generation);
        await harness.Runner.InFlight;

        Assert.Equal([DateTimeOffset.Parse("2026-12-01T12:10:00Z")], harness.Actions.Runs.Select(r => r.At).ToList());
    }

    [Fact]
    public async Task A_disabled_schedule_does_not_run_and_the_history_keeps_only_the_newest_runs()
    {
        await using var harness = new SchedulesHarness(DateTimeOffset.Parse("2026-12-01T12:00:00Z"), o => o.RunHistoryPerSchedule = 3);
        var server = await harness.AddServerAsync("history");
        var hourly = await harness.CreateAsync(server, Daily("0 * * * *"));
        var off = await harness.CreateAsync(server, Daily("0 * * * *") with { Name = "off", Enabled = false });
        await harness.StartRunnerAsync();

        await harness.AdvanceToAsync(DateTimeOffset.Parse("2026-12-01T17:00:00Z"));

        Assert.Equal(5, harness.Actions.Runs.Count(r => r.ScheduleId == hourly.Id));
        Assert.DoesNotContain(harness.Actions.Runs, r => r.ScheduleId == off.Id);
        var kept = await harness.RunsAsync(hourly.Id);
        Assert.Equal(
            [DateTimeOffset.Parse("2026-12-01T15:00:00Z"), DateTimeOffset.Parse("2026-12-01T16:00:00Z"), DateTimeOffset.Parse("2026-12-01T17:00:00Z")],
            kept.Select(r => r.DueAt).ToList());
    }

    [Fact]
    public async Task Deleting_the_server_deletes_its_schedules_and_their_runs()
    {
        await using var harness = new SchedulesHarness(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));
        var server = await harness.AddServerAsync("gone");
        var schedule = await harness.CreateAsync(server, Daily("0 * * * *"));
        await harness.StartRunnerAsync();
        await harness.AdvanceToAsync(DateTimeOffset.Parse("2026-12-01T13:00:00Z"));
        Assert.Single(await harness.RunsAsync(schedule.Id));

        await using (var db = harness.OpenDb())
        {
            await db.Servers.Where(s => s.Id == server).ExecuteDeleteAsync(); // as ServerCatalog.DeleteAsync does
        }

        await using var check = harness.OpenDb();
        Assert.False(await check.Set<Schedule>().AnyAsync());
        Assert.False(await check.Set<ScheduleRun>().AnyAsync());
        Assert.Empty(await harness.Store.ListAllAsync(CancellationToken.None));
    }
}
