using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;
using ServerDashboard.Rcon;

namespace ServerDashboard.Servers;

/// <summary>The production <see cref="RconTargetLookup"/>: the stored definition (servers listen on 127.0.0.1).</summary>
public sealed class RconTargets(IDbContextFactory<DashboardDbContext> dbFactory)
{
    public async Task<RconTarget?> FindAsync(int serverId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var server = await db.Servers.AsNoTracking()
            .Where(s => s.Id == serverId)
            .Select(s => new { s.RconEnabled, s.RconPort, s.RconPassword })
            .FirstOrDefaultAsync(cancellationToken);
        return server is { RconEnabled: true, RconPort: { } port, RconPassword: { Length: > 0 } password }
            ? new RconTarget("127.0.0.1", port, password)
            : null;
    }
}
