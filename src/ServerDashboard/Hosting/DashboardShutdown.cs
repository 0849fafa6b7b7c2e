using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;
using ServerDashboard.Auth;
using ServerDashboard.Logs;
using ServerDashboard.Processes;
using ServerDashboard.Servers;

namespace ServerDashboard.Hosting;

/// <summary>
/// The dashboard's own shutdown, as <see cref="ShutdownHandlers"/>: stop accepting requests, close hub streams, stop the
/// servers only with <c>StopServersOnShutdown</c>, flush the run-state writer, stop the log tailers, and release the
/// single-instance lock last. Runs when the host starts stopping (<see cref="IHostedLifecycleService.StoppingAsync"/>,
/// before any hosted service's StopAsync, whose own stops then find nothing left to do).
/// </summary>
public sealed class DashboardShutdown(ShutdownHandlers handlers, ILogger<DashboardShutdown> logger) : IHostedLifecycleService
{
    /// <summary>Longest the stop-all handler may take: a safety net above the per-server stop timeouts (each honoured by the supervisor).</summary>
    public static readonly TimeSpan StopAllSafetyTimeout = TimeSpan.FromSeconds(120);

    public static void Register(ShutdownHandlers handlers, IServiceProvider services)
    {
        handlers.Add("stop accepting requests", ct => services.GetRequiredService<IServer>().StopAsync(ct));
        handlers.Add("close hub streams", () => services.GetRequiredService<LiveConnections>().AbortEveryone());
        var processes = services.GetRequiredService<IOptions<ProcessOptions>>().Value;
        if (processes.StopServersOnShutdown)
        {
            // The supervisor's one stop-all path (also behind shutdown-all): each server by its own stop mode (RCON or a
            // signal) and timeout, in parallel. The handler's timeout is only a safety net above those.
            handlers.Add("stop servers (StopServersOnShutdown)", async ct =>
                {
                    using var _ = PowerActor.Use(PowerActor.System);
                    await services.GetRequiredService<ServerSupervisor>().StopAllAsync(ct);
                },
                StopAllSafetyTimeout);
        }

        handlers.Add("flush run-state writer", ct => services.GetRequiredService<RunStateStore>().FlushAsync(ct));
        handlers.Add("stop log tailers", ct => services.GetServices<IHostedService>().OfType<LogTailingService>().Single().StopAsync(ct));
        handlers.Add("release instance lock", () => services.GetServices<IHostedService>().OfType<InstanceLockService>().Single().Release(),
            order: ShutdownHandlers.Last);
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var outcomes = await handlers.RunAsync(cancellationToken);
        logger.LogInformation("Shutdown handlers: {Completed} of {Count} completed", outcomes.Count(o => o.Status == ShutdownHandlerStatus.Completed), outcomes.Count);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
