using System.Globalization;
using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;
using ServerDashboard.Processes;

namespace ServerDashboard.Servers;

/// <summary>
/// What a server's process should look like (its expanded argv), from its definition: lets a legacy PID file, which
/// has no start time, be verified by command line before it is adopted.
/// </summary>
public sealed class ExpectedProcesses(IDbContextFactory<DashboardDbContext> dbFactory, LaunchPlanner planner)
{
    public ExpectedProcess? Find(string serverId)
    {
        if (!int.TryParse(serverId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return null;
        }

        // Synchronous: the registry's lookup is a plain delegate, called at start-up and on rare PID-file checks.
        using var db = dbFactory.CreateDbContext();
        var server = db.Servers.AsNoTracking().FirstOrDefault(s => s.Id == id);
        return server is null ? null : new ExpectedProcess(planner.ExpandArgv(server));
    }
}
