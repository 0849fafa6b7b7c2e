using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ServerDashboard.Processes;

/// <summary>
/// Hosted service: at start-up loads the PID files (before the app serves requests), then checks tracked daemons for
/// exits every <see cref="ProcessOptions.ExitPollInterval"/> so our children never linger as zombies. At shutdown it
/// leaves daemons running unless <see cref="ProcessOptions.StopServersOnShutdown"/> is set.
/// </summary>
public sealed class ExitMonitor(
    ProcessRegistry registry,
    DaemonManager manager,
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

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (options.Value.StopServersOnShutdown)
        {
            IReadOnlyList<StopResult> results = await manager.StopAllAsync(options.Value.ShutdownStopTimeout, cancellationToken);
            logger.LogInformation("Stopped {Count} server(s) at shutdown", results.Count(r => r.Outcome != StopOutcome.NotRunning));
        }
        else
        {
            logger.LogInformation("Leaving {Count} server(s) running; they will be re-adopted on the next start",
                registry.Entries.Count(e => !e.HasExited));
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
                    registry.PollExits();
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
