using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServerDashboard.Servers;

namespace ServerDashboard.Tests.Supervision;

/// <summary>The restart policy's arithmetic and its pending restarts, on a fake clock.</summary>
public sealed class RestartPolicyTests
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));
    private readonly SupervisorWork work = new(NullLogger<SupervisorWork>.Instance);

    [Fact]
    public void Delays_double_from_one_second_up_to_the_five_minute_cap_without_jitter()
    {
        var tracker = Tracker(new SupervisionOptions { CrashLoopMaxRestarts = 100 }, random: () => 0);

        var delays = Enumerable.Range(1, 12).Select(_ => Exit(tracker).Delay!.Value.TotalSeconds).ToList();

        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300], delays);
    }

    [Fact]
    public void Jitter_only_shortens_each_delay_and_by_at_most_the_jitter_fraction()
    {
        var options = new SupervisionOptions { CrashLoopMaxRestarts = 1000, BackoffJitter = 0.2 };
        var tracker = Tracker(options);
        var seen = new HashSet<double>();

        for (var attempt = 1; attempt <= 200; attempt++)
        {
            var decision = Exit(tracker);
            var full = Math.Min(300, Math.Pow(2, attempt - 1));
            var delay = decision.Delay!.Value.TotalSeconds;
            Assert.Equal(attempt, decision.Attempt);
            Assert.InRange(delay, full * 0.8 - 1e-9, full + 1e-9);
            seen.Add(Math.Round(delay / full, 3));
        }

        Assert.True(seen.Count > 10, "the jitter varies");
    }

    [Fact]
    public void A_run_that_stayed_running_for_the_stable_window_resets_the_delay()
    {
        var tracker = Tracker(new SupervisionOptions(), random: () => 0);
        Exit(tracker);
        Exit(tracker);
        Assert.Equal(4, Exit(tracker).Delay!.Value.TotalSeconds);

        tracker.MarkRunning(1);
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(8, tracker.OnExit(1).Delay!.Value.TotalSeconds); // 59 s is not stable

        tracker.MarkRunning(1);
        time.Advance(TimeSpan.FromSeconds(60));
        var decision = tracker.OnExit(1);
        Assert.Equal((1, 1.0), (decision.Attempt, decision.Delay!.Value.TotalSeconds));
    }

    [Fact]
    public void More_than_five_restarts_within_ten_minutes_is_a_crash_loop_and_the_window_slides()
    {
        var tracker = Tracker(new SupervisionOptions(), random: () => 0);
        for (var i = 1; i <= 5; i++)
        {
            var decision = Exit(tracker);
            Assert.False(decision.CrashLoop);
            time.Advance(TimeSpan.FromSeconds(30));
        }

        var sixth = tracker.OnExit(1);
        Assert.True(sixth.CrashLoop);
        Assert.Equal(5, sixth.RestartsInWindow);

        time.Advance(TimeSpan.FromSeconds(600));
        Assert.False(tracker.OnExit(1).CrashLoop);
    }

    [Fact]
    public void A_manual_start_resets_the_counter_and_the_crash_loop_window()
    {
        var tracker = Tracker(new SupervisionOptions(), random: () => 0);
        for (var i = 0; i < 5; i++)
        {
            Exit(tracker);
        }

        Assert.True(tracker.OnExit(1).CrashLoop);

        tracker.Reset(1);
        var decision = tracker.OnExit(1);
        Assert.Equal((false, 1, 1.0), (decision.CrashLoop, decision.Attempt, decision.Delay!.Value.TotalSeconds));
    }

    [Fact]
    public async Task A_pending_restart_fires_after_its_delay()
    {
        var scheduler = new RestartScheduler(work, time, NullLogger<RestartScheduler>.Instance);
        var fired = new TaskCompletionSource();

        var pending = scheduler.Schedule(1, TimeSpan.FromSeconds(8), _ =>
        {
            fired.SetResult();
            return Task.CompletedTask;
        });
        time.Advance(TimeSpan.FromSeconds(7));
        Assert.False(fired.Task.IsCompleted);
        Assert.True(scheduler.IsPending(1));
        time.Advance(TimeSpan.FromSeconds(1));

        await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(fired.Task.IsCompleted);
        Assert.False(scheduler.IsPending(1));
    }

    [Fact]
    public async Task A_stop_during_backoff_cancels_the_pending_restart_for_good()
    {
        var scheduler = new RestartScheduler(work, time, NullLogger<RestartScheduler>.Instance);
        var fired = false;
        var pending = scheduler.Schedule(1, TimeSpan.FromSeconds(8), _ =>
        {
            fired = true;
            return Task.CompletedTask;
        });

        Assert.True(scheduler.Cancel(1));
        time.Advance(TimeSpan.FromMinutes(10));

        await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(fired);
        Assert.False(scheduler.Cancel(1));
    }

    [Fact]
    public async Task Shutdown_drains_pending_restarts_without_running_them()
    {
        var scheduler = new RestartScheduler(work, time, NullLogger<RestartScheduler>.Instance);
        var fired = false;
        var pending = scheduler.Schedule(1, TimeSpan.FromSeconds(8), _ =>
        {
            fired = true;
            return Task.CompletedTask;
        });

        await work.DrainAsync(CancellationToken.None);

        Assert.True(pending.IsCompleted);
        Assert.False(fired);
    }

    private RestartDecision Exit(RestartTracker tracker)
    {
        var decision = tracker.OnExit(1);
        if (decision.Delay is { } delay)
        {
            time.Advance(delay); // restarted, and it died again at once
        }

        return decision;
    }

    private RestartTracker Tracker(SupervisionOptions options, Func<double>? random = null) =>
        new(new FixedOptions(options), time, random);

    private sealed class FixedOptions(SupervisionOptions value) : IOptionsMonitor<SupervisionOptions>
    {
        public SupervisionOptions CurrentValue => value;

        public SupervisionOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<SupervisionOptions, string?> listener) => null;
    }
}
