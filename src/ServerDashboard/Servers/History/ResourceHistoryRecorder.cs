using Microsoft.Extensions.Options;
using ServerDashboard.Servers.Monitoring;

namespace ServerDashboard.Servers.History;

/// <summary>The monitoring-tick handler of the resource history: hands each tick to the live feed, then stores it
/// (one transaction for all servers). A failed write is logged and the tick's figures are only lost from the history.</summary>
public sealed class ResourceHistoryRecorder(
    LiveSampleFeed feed,
    ResourceHistoryStore store,
    IOptionsMonitor<MonitoringOptions> options,
    ILogger<ResourceHistoryRecorder> logger) : IMonitoringTickHandler
{
    public async ValueTask OnTickAsync(MonitoringTick tick, CancellationToken cancellationToken)
    {
        feed.Publish(tick);
        if (!options.CurrentValue.History.Enabled)
        {
            return;
        }

        try
        {
            await store.AppendAsync(tick, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(ex, "Could not store the resource samples of {Count} servers", tick.Servers.Count);
        }
    }
}
