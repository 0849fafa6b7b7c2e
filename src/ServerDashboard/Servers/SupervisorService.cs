using ServerDashboard.Processes;

namespace ServerDashboard.Servers;

/// <summary>
/// The supervisor's life in the host: after the PID files are loaded (ExitMonitor is registered first) it adopts the
/// live daemons, starts those whose restart policy wants them running, then follows every daemon exit.
/// </summary>
public sealed class SupervisorService(ServerSupervisor supervisor, DaemonExitFeed exitFeed, ILogger<SupervisorService> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await supervisor.AdoptAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Subscribe before applying boot policies so an exit right after a boot start is not missed.
        var exits = exitFeed.WatchAsync(stoppingToken).GetAsyncEnumerator(stoppingToken);
        var next = exits.MoveNextAsync();
        await supervisor.ApplyBootPoliciesAsync(stoppingToken);
        try
        {
            while (await next)
            {
                var exit = exits.Current;
                next = exits.MoveNextAsync();
                try
                {
                    await supervisor.HandleExitAsync(exit, stoppingToken);
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
            await exits.DisposeAsync();
        }
    }
}
