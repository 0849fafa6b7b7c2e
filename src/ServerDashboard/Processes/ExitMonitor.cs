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
        using var timer = new PeriodicTimer(options.Value.ExitPollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    registry.PollExits(skipWatched: watcher.IsRunning);
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
    }
}
