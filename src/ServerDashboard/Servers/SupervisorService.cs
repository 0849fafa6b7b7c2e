using ServerDashboard.Processes;

namespace ServerDashboard.Servers;

/// <summary>
/// The supervisor's life in the host: after the PID files are loaded (ExitMonitor is registered first) boot
/// reconciliation adopts the live daemons and restores stored states, then boot policies start what should run, then
/// every daemon exit goes to the restart policy. At shutdown all supervisor work is awaited (with
/// <c>StopServersOnShutdown</c> the servers were stopped before, by a shutdown handler through the one stop-all path).
/// </summary>
public sealed class SupervisorService(
    BootReconciler boot,
    ServerExitHandler exits,
    SupervisorWork work,
    DaemonExitFeed exitFeed,
    ILogger<SupervisorService> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await boot.AdoptAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // With StopServersOnShutdown the servers were stopped by a shutdown handler (Hosting/DashboardShutdown) through
        // the supervisor's one stop-all path, before any hosted service stopped.
        await work.DrainAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Subscribe before applying boot policies so an exit right after a boot start is not missed.
        var feed = exitFeed.WatchAsync(stoppingToken).GetAsyncEnumerator(stoppingToken);
        var next = feed.MoveNextAsync();
        await boot.ApplyBootPoliciesAsync(stoppingToken);
        try
        {
            while (await next)
            {
                var exit = feed.Current;
                next = feed.MoveNextAsync();
                try
                {
                    await exits.HandleExitAsync(exit, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Handling the exit of server {ServerId} failed", exit.ServerId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await feed.DisposeAsync();
        }
    }
}
