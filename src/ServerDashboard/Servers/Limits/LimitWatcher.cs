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
    ILogger<LimitWatcher> logger) : IMonitoringTickHandler
{
    private readonly Dictionary<(int, LimitKind), int> overCounts = [];
    private IReadOnlyDictionary<int, (int? Cpu, int? MemoryMb, LimitAction Action, string Name)> limits = new Dictionary<int, (int?, int?, LimitAction, string)>();
    private IReadOnlyList<MonitoredServer>? limitsFrom;

    public async ValueTask OnTickAsync(MonitoringTick tick, CancellationToken cancellationToken)
    {
        await RefreshLimitsAsync(tick, cancellationToken);
        var needed = Math.Max(1, options.CurrentValue.SamplesBeforeWarning);
        foreach (var sample in tick.Servers)
        {
            if (!sample.Alive)
            {
                continue;
            }

            if (!limits.TryGetValue(sample.ServerId, out var limit))
            {
                limit = (null, null, LimitAction.Warn, ""); // none (or no longer): clears a warning raised before an edit
            }

            await CheckAsync(sample.ServerId, LimitKind.Cpu, sample.CpuPercent, limit.Cpu, limit.Action, limit.Name, needed, tick.At, cancellationToken);
            await CheckAsync(sample.ServerId, LimitKind.Memory, sample.MemoryBytes / 1048576.0, limit.MemoryMb, limit.Action, limit.Name, needed, tick.At, cancellationToken);
        }
    }

    private async Task CheckAsync(int serverId, LimitKind kind, double? value, int? limit, LimitAction action, string name, int needed, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var key = (serverId, kind);
        if (value is null)
        {
            return; // no figure yet (the first CPU sample has no rate): neither over nor back under
        }

        if (limit is null || value <= limit)
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
        if (tick.Servers.Count == 0)
        {
            return;
        }

        // The catalog hands back the same list until a definition changes (or DefinitionsMaxAge passes): the limits are
        // rebuilt only then, not read and decrypted for every server on every tick. A change saved through the dashboard
        // applies at the next tick, one by another writer of the database within ServerCatalog.RecentMaxAge.
        var servers = await catalog.ListForMonitoringAsync(cancellationToken);
        if (ReferenceEquals(servers, limitsFrom))
        {
            return;
        }

        limits = servers
            .Where(s => s.CpuWarnPercent is not null || s.MaxMemoryMb is not null)
            .ToDictionary(s => s.Id, s => (s.CpuWarnPercent, s.MaxMemoryMb, s.LimitAction, s.Name));
        limitsFrom = servers;
    }
}
