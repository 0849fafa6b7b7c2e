using ServerDashboard.Servers.Monitoring;

namespace ServerDashboard.Metrics;

/// <summary>
/// Keeps the monitoring loop's latest tick for scrapes (memory, open files, threads) and folds its CPU times into
/// <see cref="ServerTotals"/>. A scrape never reads /proc itself: it reports what the last tick saw.
/// </summary>
public sealed class MetricsTickHandler(ServerTotals totals) : IMonitoringTickHandler
{
    private MonitoringTick? latest;

    public MonitoringTick? Latest => Volatile.Read(ref latest);

    public ValueTask OnTickAsync(MonitoringTick tick, CancellationToken cancellationToken)
    {
        foreach (var sample in tick.Servers)
        {
            if (sample.Alive && sample.CpuSeconds is { } cpu)
            {
                totals.For(sample.ServerId).ObserveCpu(sample.Pid, cpu);
            }
        }

        Volatile.Write(ref latest, tick);
        return ValueTask.CompletedTask;
    }
}
