using System.Globalization;
using Microsoft.Extensions.Options;
using ServerDashboard.Processes;

namespace ServerDashboard.Servers.Monitoring;

/// <summary>
/// The monitoring loop: a <see cref="PeriodicTimer"/> over <see cref="TimeProvider"/> every
/// <see cref="MonitoringOptions.IntervalSeconds"/>, one /proc pass for all servers per tick, handed to every
/// <see cref="IMonitoringTickHandler"/> in registration order. No per-server timers or threads.
/// </summary>
public sealed class MonitoringService(
    ProcessStatsCollector collector,
    IEnumerable<IMonitoringTickHandler> handlers,
    IOptionsMonitor<MonitoringOptions> options,
    TimeProvider time,
    ILogger<MonitoringService> logger) : BackgroundService
{
    private readonly IMonitoringTickHandler[] handlers = handlers.ToArray();

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        if (current.Enabled)
        {
            logger.LogInformation("Monitoring every {IntervalSeconds} s: startup timeout {StartupTimeoutSeconds} s, unhealthy after {Checks} failed checks",
                current.IntervalSeconds, current.StartupTimeoutSeconds, current.UnhealthyAfterChecks);
        }
        else
        {
            logger.LogWarning("Monitoring is off (Dashboard:Monitoring:Enabled=false): no health checks and no resource history; exits are still followed");
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var interval = TimeSpan.FromSeconds(Math.Max(1, options.CurrentValue.IntervalSeconds));
            // A new timer when the interval changes (configuration reload); otherwise one timer for the service's life.
            using var timer = new PeriodicTimer(interval, time);
            try
            {
                while (await timer.WaitForNextTickAsync(stoppingToken))
                {
                    if (options.CurrentValue.Enabled)
                    {
                        await RunTickAsync(stoppingToken);
                    }

                    if (TimeSpan.FromSeconds(Math.Max(1, options.CurrentValue.IntervalSeconds)) != interval)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Takes one sample of every server and runs the handlers on it (also called by tests).</summary>
    public async Task<MonitoringTick> RunTickAsync(CancellationToken cancellationToken)
    {
        var tick = Sample();
        foreach (var handler in handlers)
        {
            try
            {
                await handler.OnTickAsync(tick, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Monitoring handler {Handler} failed", handler.GetType().Name);
            }
        }

        return tick;
    }

    private MonitoringTick Sample()
    {
        var stats = collector.Collect();
        var samples = new List<ServerSample>(stats.Processes.Count);
        foreach (var process in stats.Processes)
        {
            // Only servers: the registry's keys are server ids; anything else tracked there is not ours to report.
            if (!int.TryParse(process.ServerId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                continue;
            }

            samples.Add(new ServerSample(id, process.Pid, process.Alive, process.CpuPercent, process.MemoryBytes,
                process.OpenFiles, process.Threads, process.ProcessCount, process.CpuSeconds));
        }

        return new MonitoringTick(time.GetUtcNow(), samples);
    }
}
