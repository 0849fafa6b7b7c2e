using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;

namespace ServerDashboard.Servers.Crashes;

/// <summary>One page of a server's crash records, newest first.</summary>
public sealed record CrashPage(IReadOnlyList<CrashRecord> Items, int Page, int PageSize, int Total);

/// <summary>Reads crash records (API, server page, servers list).</summary>
public sealed class CrashHistory(IDbContextFactory<DashboardDbContext> dbFactory)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public async Task<CrashPage> PageAsync(int serverId, int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.CrashRecords.AsNoTracking().Where(c => c.ServerId == serverId);
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(c => c.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new CrashPage(items, page, pageSize, total);
    }

    public async Task<CrashRecord?> LatestAsync(int serverId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.CrashRecords.AsNoTracking().Where(c => c.ServerId == serverId).OrderByDescending(c => c.Id).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The newest record of every server that has one (without its lines: the servers list shows a summary).</summary>
    public async Task<IReadOnlyDictionary<int, CrashRecord>> LatestPerServerAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var newestIds = db.CrashRecords.GroupBy(c => c.ServerId).Select(g => g.Max(c => c.Id));
        var latest = await db.CrashRecords.AsNoTracking().Where(c => newestIds.Contains(c.Id))
            .Select(c => new CrashRecord
            {
                Id = c.Id, ServerId = c.ServerId, At = c.At, ExitCode = c.ExitCode, Signal = c.Signal,
                UptimeSeconds = c.UptimeSeconds, Classification = c.Classification, Description = c.Description,
            })
            .ToListAsync(cancellationToken);
        return latest.ToDictionary(c => c.ServerId);
    }
}
