using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServerDashboard.Data;
using ServerDashboard.Servers.Monitoring;

namespace ServerDashboard.Servers.Crashes;

/// <summary>
/// Stores each crash with the server's last console lines and keeps the newest
/// <see cref="CrashRecordOptions.RetentionPerServer"/> per server. Storage trouble is logged, never thrown: the
/// supervisor's restart must not depend on the database.
/// </summary>
public sealed class CrashRecorder(
    IDbContextFactory<DashboardDbContext> dbFactory,
    ConsoleTail consoleTail,
    CrashFeed feed,
    IOptionsMonitor<MonitoringOptions> options,
    ILogger<CrashRecorder> logger) : ICrashRecorder
{
    public async Task RecordAsync(CrashReport report, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue.Crashes;
        try
        {
            var record = new CrashRecord
            {
                ServerId = report.ServerId,
                At = report.At,
                ExitCode = report.ExitCode,
                Signal = report.Signal,
                UptimeSeconds = report.UptimeSeconds,
                Classification = report.Classification,
                Description = report.Description.Length <= 1000 ? report.Description : report.Description[..1000],
                LastLines = consoleTail.LastLines(report.ServerId, settings.LastLines).ToList(),
            };

            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            db.CrashRecords.Add(record);
            await db.SaveChangesAsync(cancellationToken);
            await PruneAsync(db, report.ServerId, Math.Max(1, settings.RetentionPerServer), cancellationToken);
            feed.Publish(record);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(ex, "Could not store the crash record of server {ServerId} ({Classification}: {Description})",
                report.ServerId, report.Classification, report.Description);
        }
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> records of a server.</summary>
    internal static async Task PruneAsync(DashboardDbContext db, int serverId, int keep, CancellationToken cancellationToken)
    {
        var oldestKept = await db.CrashRecords.Where(c => c.ServerId == serverId)
            .OrderByDescending(c => c.Id).Skip(keep - 1).Select(c => (long?)c.Id).FirstOrDefaultAsync(cancellationToken);
        if (oldestKept is { } id)
        {
            await db.CrashRecords.Where(c => c.ServerId == serverId && c.Id < id).ExecuteDeleteAsync(cancellationToken);
        }
    }
}
