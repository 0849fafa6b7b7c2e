namespace ServerDashboard.Servers.Monitoring;

/// <summary>One server's figures at a tick, summed over its process tree.</summary>
/// <param name="Alive">The tracked daemon is alive and still the process we started (identity checked).</param>
/// <param name="CpuPercent">Percent of one core; null while no rate is known yet.</param>
/// <param name="CpuSeconds">CPU time (user + system) of the tree's live members so far.</param>
public sealed record ServerSample(int ServerId, int Pid, bool Alive, double? CpuPercent, long? MemoryBytes, int? OpenFiles, int? Threads, int ProcessCount,
    double? CpuSeconds = null);

/// <summary>What one monitoring pass saw: every tracked server, from a single /proc pass.</summary>
public sealed record MonitoringTick(DateTimeOffset At, IReadOnlyList<ServerSample> Servers)
{
    public ServerSample? For(int serverId) => Servers.FirstOrDefault(s => s.ServerId == serverId);
}

/// <summary>
/// Something that acts on every monitoring tick (health checks, resource history, limit warnings). Handlers run one
/// after another on the monitoring loop, so a slow one delays the next tick instead of piling up work; one that throws
/// is logged and the others still run.
/// </summary>
public interface IMonitoringTickHandler
{
    ValueTask OnTickAsync(MonitoringTick tick, CancellationToken cancellationToken);
}
