using Microsoft.Extensions.Options;
using ServerDashboard.Servers.Monitoring;

namespace ServerDashboard.Servers.History;

/// <summary>Downsamples and prunes the resource history every <see cref="Period"/> (and once at start).</summary>
public sealed class ResourceHistoryMaintenance(
    ResourceHistoryStore store,
    IOptionsMonitor<MonitoringOptions> options,
    TimeProvider time,
    ILogger<ResourceHistoryMaintenance> logger) : BackgroundService
{
    /// <summary>Often enough that the tick table holds little more than its 24 hours; each pass touches only what crossed a cutoff.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // SQLite commands complete synchronously: without this the first pass would run inside the host's start-up.
        await Task.Yield();
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            do
            {
                await RunOnceAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var result = await store.DownsampleAsync(HistoryRetention.At(time.GetUtcNow(), options.CurrentValue.History), cancellationToken);
            logger.LogDebug("Resource history maintenance: {Result}", result);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(ex, "Resource history maintenance failed");
        }
    }
}
