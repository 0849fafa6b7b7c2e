using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ServerDashboard.Processes;

/// <summary>
/// Hosted service: at start-up loads the PID files (before the app serves requests), then starts
/// <see cref="PidfdExitWatcher"/> (exits noticed the moment they happen, through the daemons' pidfds) and checks the
/// daemons it cannot watch (no pidfd) every <see cref="ProcessOptions.ExitPollInterval"/>, so our children never linger
/// as zombies. Stopping servers
/// at shutdown (<see cref="ProcessOptions.StopServersOnShutdown"/>) is the supervisor's, through its one stop-all path.
/// </summary>
public sealed class ExitMonitor(
    ProcessRegistry registry,
    PidfdExitWatcher watcher,
    TimeProvider time,
    IOptions<ProcessOptions> options,
    ILogger<ExitMonitor> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.LoadPidFilesOnStart)
        {
            await registry.LoadFromDiskAsync(cancellationToken: cancellationToken);
        }

        watcher.Start();
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        watcher.Dispose();
        // With StopServersOnShutdown the supervisor (stopped before this service) has already stopped every server,
        // each by its own stop mode and timeout; whatever is still alive here is left running either way.
        int alive = registry.Entries.Count(e => !e.HasExited);
        if (alive > 0)
        {
            logger.LogInformation("Leaving {Count} server(s) running; they will be re-adopted on the next start", alive);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ExitPollInterval;
        using var timer = new PeriodicTimer(interval, time);
        // A daemon tracked meanwhile may have no pidfd: poll at the short interval again until a round says otherwise.
        void OnChanged() => timer.Period = interval;
        registry.Changed += OnChanged;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var polled = registry.PollExits(skipWatched: watcher.IsRunning);
                    // Every live daemon is watched through its pidfd: this poll is only a safety net then, and ticking four
                    // times a second for nothing cost an idle dashboard a timer and a thread-pool wake-up each (PERFORMANCE.md).
                    var period = polled || !watcher.IsRunning ? interval : TimeSpan.FromTicks(Math.Max(interval.Ticks, WatchedSafetyInterval.Ticks));
                    if (timer.Period != period)
                    {
                        timer.Period = period;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    logger.LogWarning("Exit check failed: {Error}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            registry.Changed -= OnChanged;
        }
    }

    /// <summary>The safety-net poll's interval while every live daemon is watched through its pidfd.</summary>
    internal static readonly TimeSpan WatchedSafetyInterval = TimeSpan.FromSeconds(5);
}
