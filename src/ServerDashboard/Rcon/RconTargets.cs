using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;

namespace ServerDashboard.Rcon;

/// <summary>Where and how to reach one server's RCON. Kept in memory only; <see cref="ToString"/> hides the password.</summary>
public sealed record RconTarget(string Host, int Port, string Password)
{
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>Finds a server's RCON target; null when the server is unknown or has RCON off.</summary>
public delegate Task<RconTarget?> RconTargetLookup(int serverId, CancellationToken cancellationToken);

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
