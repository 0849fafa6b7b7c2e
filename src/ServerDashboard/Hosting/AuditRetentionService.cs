using Microsoft.Extensions.Options;
using ServerDashboard.Audit;

namespace ServerDashboard.Hosting;

/// <summary>
/// Deletes audit entries older than <c>Dashboard:Audit:RetentionDays</c> (default 180): at start, then daily, on the
/// <see cref="TimeProvider"/> so tests can drive it. At start it first warms up the audit writer (<see cref="AuditLog.WarmUpAsync"/>).
/// </summary>
public sealed class AuditRetentionService(AuditLog audit, IOptions<DashboardOptions> options, TimeProvider time, ILogger<AuditRetentionService> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            await WarmUpAsync(stoppingToken);
            do
            {
                await CleanupOnceAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            await audit.WarmUpAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogDebug(ex, "Warming up the audit writer failed; its first write compiles instead");
        }
    }

    /// <summary>One pass; returns how many entries were deleted.</summary>
    public async Task<int> CleanupOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var days = Math.Max(1, options.Value.Audit.RetentionDays);
            var deleted = await audit.DeleteOlderThanAsync(time.GetUtcNow() - TimeSpan.FromDays(days), cancellationToken);
            if (deleted > 0)
            {
                logger.LogInformation("Audit retention: deleted {Count} entries older than {Days} days", deleted, days);
            }

            return deleted;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Audit retention cleanup failed");
            return 0;
        }
    }
}
