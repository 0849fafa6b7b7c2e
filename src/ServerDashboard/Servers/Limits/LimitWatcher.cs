using Microsoft.Extensions.Options;
using ServerDashboard.Audit;
using ServerDashboard.Servers.Monitoring;

namespace ServerDashboard.Servers.Limits;

/// <summary>
/// The monitoring-tick handler for limits: a server over its <c>cpuWarnPercent</c> or <c>maxMemoryMb</c> for
/// <see cref="LimitWarningOptions.SamplesBeforeWarning"/> consecutive samples raises one warning (shown, pushed, audited as
/// <c>system</c>) and, with <see cref="LimitAction.Restart"/>, is restarted. The warning stays in force until a sample
/// is back under the limit; it is raised again only after that.
/// </summary>
public sealed class LimitWatcher(
    ServerCatalog catalog,
    LimitWarningFeed feed,
    AuditLog audit,
    IServiceProvider services,
    IOptionsMonitor<LimitWarningOptions> options,
    TimeProvider time,
    ILogger<LimitWatcher> logger) : IMonitoringTickHandler
{
    /// <summary>Definitions are re-read this often (an edited limit applies within it), not on every tick.</summary>
    public static readonly TimeSpan DefinitionsMaxAge = TimeSpan.FromSeconds(30);

    private readonly Dictionary<(int, LimitKind), int> overCounts = [];
    private IReadOnlyDictionary<int, (int? Cpu, int? MemoryMb, LimitAction Action, string Name)> limits = new Dictionary<int, (int?, int?, LimitAction, string)>();
    private DateTimeOffset limitsReadAt = DateTimeOffset.MinValue;

    public async ValueTask OnTickAsync(MonitoringTick tick, CancellationToken cancellationToken)
    {
        await RefreshLimitsAsync(tick, cancellationToken);
        var needed = Math.Max(1, options.CurrentValue.SamplesBeforeWarning);
        foreach (var sample in tick.Servers)
        {
            if (!sample.Alive || !limits.TryGetValue(sample.ServerId, out var limit))
            {
                continue;
            }

            await CheckAsync(sample.ServerId, LimitKind.Cpu, sample.CpuPercent, limit.Cpu, limit.Action, limit.Name, needed, tick.At, cancellationToken);
            await CheckAsync(sample.ServerId, LimitKind.Memory, sample.MemoryBytes / 1048576.0, limit.MemoryMb, limit.Action, limit.Name, needed, tick.At, cancellationToken);
        }
    }

    private async Task CheckAsync(int serverId, LimitKind kind, double? value, int? limit, LimitAction action, string name, int needed, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (limit is null || value is null)
        {
            return; // no limit, or no figure yet (the first CPU sample has no rate): neither over nor back under
        }

        var key = (serverId, kind);
        if (value <= limit)
        {
            overCounts.Remove(key);
            feed.Clear(serverId, kind);
            return;
        }

        var count = overCounts.GetValueOrDefault(key) + 1;
        overCounts[key] = count;
        if (count != needed)
        {
            return; // one warning per crossing
        }

        var warning = new LimitWarning(serverId, kind, at, value.Value, limit.Value, needed, action);
        logger.LogWarning("Server {ServerId} ({Name}): {Warning}", serverId, name, warning.Describe());
        feed.Raise(warning);
        await audit.RecordAsync(AuditActor.System, AuditActions.LimitWarning, serverId, name, warning.Describe(), true,
            action == LimitAction.Restart ? "restarting" : "warned");
        if (action == LimitAction.Restart)
        {
            // Resolved here, not injected: the supervisor's graph is large and a tick handler must not pull it in at construction.
            var supervisor = services.GetRequiredService<ServerSupervisor>();
            var result = await supervisor.RestartAsync(serverId, wait: false, AuditActor.System, cancellationToken);
            overCounts.Remove(key);
            logger.LogInformation("Server {ServerId} restarted over its {Kind} limit: {Outcome}", serverId, kind, result.Outcome);
        }
    }

    private async Task RefreshLimitsAsync(MonitoringTick tick, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now - limitsReadAt < DefinitionsMaxAge && tick.Servers.All(s => limits.ContainsKey(s.ServerId)))
        {
            return;
        }

        limits = (await catalog.ListAsync(cancellationToken))
            .Where(s => s.CpuWarnPercent is not null || s.MaxMemoryMb is not null)
            .ToDictionary(s => s.Id, s => (s.CpuWarnPercent, s.MaxMemoryMb, s.LimitAction, s.Name));
        limitsReadAt = now;
    }
}
