using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerDashboard.Audit;
using ServerDashboard.Data;
using ServerDashboard.Hosting;
using ServerDashboard.Schedules;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Schedules;

/// <summary>A scheduled action that only records when it ran (the timing tests are about when, not what).</summary>
public sealed class RecordingActions(TimeProvider time) : IScheduledActions
{
    public ConcurrentQueue<(int ScheduleId, DateTimeOffset At)> Runs { get; } = new();

    public ActionOutcome Outcome { get; set; } = ActionOutcome.Succeeded("done");

    public Task<ActionOutcome> RunAsync(Schedule schedule, CancellationToken cancellationToken)
    {
        Runs.Enqueue((schedule.Id, time.GetUtcNow()));
        return Task.FromResult(Outcome);
    }
}

/// <summary>
/// <see cref="Inner"/>'s time, except that the runner's next reading of the clock (the start of its pass) costs
/// <see cref="PassTakes"/> of fake time: a pass that was slow, on a busy host, or while the clock moved on.
/// </summary>
public sealed class SlowPassClock(FakeTimeProvider inner) : TimeProvider
{
    public FakeTimeProvider Inner => inner;

    public TimeSpan PassTakes { get; set; }

    public override DateTimeOffset GetUtcNow()
    {
        var now = inner.GetUtcNow();
        if (PassTakes > TimeSpan.Zero)
        {
            var cost = PassTakes;
            PassTakes = TimeSpan.Zero;
            inner.Advance(cost);
        }

        return now;
    }

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);
}

/// <summary>
/// The real <see cref="ScheduleService"/> and <see cref="ScheduleRunner"/> on a real SQLite file (migrated) and a
/// <see cref="FakeTimeProvider"/>; the actions are <see cref="RecordingActions"/>. <see cref="StartRunnerAsync"/> can be
/// called again after <see cref="StopRunnerAsync"/>: what a dashboard restart sees.
/// </summary>
public sealed class SchedulesHarness : IAsyncDisposable
{
    private readonly TempDirectory directory = new("sd-schedules");
    private readonly ServiceProvider services;
    private ScheduleRunner? runner;
    private CancellationTokenSource? runnerStop;

    public SchedulesHarness(DateTimeOffset start, Action<ScheduleOptions>? configure = null)
    {
        Time = new FakeTimeProvider(start);
        var data = new DataDirectory(directory.Path);
        var options = new ScheduleOptions();
        configure?.Invoke(options);
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddSingleton<TimeProvider>(Time);
        collection.AddSqliteStore(data.ConnectionString);
        collection.AddSingleton<AuditLog>();
        collection.AddSingleton(Options.Create(options));
        collection.AddSingleton<ScheduleService>();
        collection.AddSingleton(sp => new RecordingActions(Time));
        collection.AddSingleton<IScheduledActions>(sp => sp.GetRequiredService<RecordingActions>());
        services = collection.BuildServiceProvider();
        using var db = services.GetRequiredService<IDbContextFactory<DashboardDbContext>>().CreateDbContext();
        db.Database.Migrate();
    }

    public FakeTimeProvider Time { get; }

    public ScheduleService Store => services.GetRequiredService<ScheduleService>();

    public RecordingActions Actions => services.GetRequiredService<RecordingActions>();

    public ScheduleRunner Runner => runner ?? throw new InvalidOperationException("start the runner first");

    public static AuditActor Tester { get; } = new("tester", "127.0.0.1");

    public DashboardDbContext OpenDb() => services.GetRequiredService<IDbContextFactory<DashboardDbContext>>().CreateDbContext();

    public async Task<int> AddServerAsync(string name)
    {
        await using var db = OpenDb();
        var server = new ServerDefinition { Name = name, Command = ["/bin/true"] };
        db.Servers.Add(server);
        await db.SaveChangesAsync();
        return server.Id;
    }

    public async Task<ScheduleView> CreateAsync(int serverId, ScheduleBody body)
    {
        var change = await Store.CreateAsync(serverId, body, Tester, CancellationToken.None);
        Assert.True(change.Succeeded, string.Join("; ", change.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        return change.Schedule!;
    }

    /// <param name="clock">The runner's clock; <see cref="Time"/> unless a test needs one that moves on its own.</param>
    public async Task StartRunnerAsync(TimeProvider? clock = null)
    {
        runnerStop = new CancellationTokenSource();
        runner = new ScheduleRunner(Store, Actions, services.GetRequiredService<IOptions<ScheduleOptions>>(), clock ?? Time,
            services.GetRequiredService<ILoggerFactory>().CreateLogger<ScheduleRunner>());
        await runner.StartAsync(runnerStop.Token);
        await SleepingAsync(0);
    }

    public async Task StopRunnerAsync()
    {
        if (runner is not null)
        {
            await runner.StopAsync(CancellationToken.None);
            runner.Dispose();
            runner = null;
        }
    }

    /// <summary>Waits until the runner sleeps at a generation after <paramref name="after"/>.</summary>
    public async Task<RunnerSleep> SleepingAsync(long after)
    {
        RunnerSleep? seen = null;
        await Eventually.TrueAsync(() => (seen = Runner.Sleeping) is { } s && s.Generation > after, TimeSpan.FromSeconds(20), "the runner to sleep");
        return seen!.Value;
    }

    /// <summary>
    /// Moves the fake clock to <paramref name="target"/> the way real time passes: never beyond the instant the runner
    /// sleeps until, so every wake-up it planned happens, at its instant.
    /// </summary>
    public async Task AdvanceToAsync(DateTimeOffset target)
    {
        var sleep = await SleepingAsync(0);
        while (Time.GetUtcNow() < target)
        {
            // Real time does not race ahead of a run: each run (and its record) is over before the clock moves on.
            await Runner.InFlight;
            if (sleep.Until > target)
            {
                Time.Advance(target - Time.GetUtcNow()); // stops short of the wake-up: the runner stays asleep
                break;
            }

            Time.Advance(sleep.Until > Time.GetUtcNow() ? sleep.Until - Time.GetUtcNow() : TimeSpan.Zero);
            sleep = await SleepingAsync(sleep.Generation);
        }

        await Runner.InFlight;
    }

    public async Task<List<ScheduleRun>> RunsAsync(int scheduleId)
    {
        await using var db = OpenDb();
        return await db.Set<ScheduleRun>().AsNoTracking().Where(r => r.ScheduleId == scheduleId).OrderBy(r => r.Id).ToListAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopRunnerAsync();
        await services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        directory.Dispose();
    }
}
