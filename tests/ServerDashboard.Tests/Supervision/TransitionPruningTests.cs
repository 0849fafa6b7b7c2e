using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Data;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Supervision;

/// <summary>The transition history keeps the newest rows per server, pruned every <see cref="ServerTransitionLog.PruneEvery"/> writes.</summary>
public sealed class TransitionPruningTests
{
    [Fact]
    public async Task A_server_keeps_its_newest_transitions_and_never_more_than_the_cap_plus_one_prune_interval()
    {
        using var factory = new DashboardFactory();
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var created = await admin.PostAsJsonAsync("/api/v1/servers", ServerRequests.Valid("history"), JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        int id = (await created.ReadJsonAsync<ServerModel>())!.Id!.Value;
        var log = factory.Services.GetRequiredService<ServerTransitionLog>();
        var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<DashboardDbContext>>();
        var most = 0;

        for (var n = 1; n <= 1_300; n++)
        {
            log.Record(new ServerTransition(id, ServerState.Running, ServerState.Stopped, $"#{n}", DateTimeOffset.UtcNow, "test"));
            if (n % 37 == 0 || n == 1_300)
            {
                await log.FlushAsync(CancellationToken.None);
                await using var db = await dbFactory.CreateDbContextAsync();
                most = Math.Max(most, await db.ServerTransitions.CountAsync(t => t.ServerId == id));
            }
        }

        await using var check = await dbFactory.CreateDbContextAsync();
        var reasons = await check.ServerTransitions.Where(t => t.ServerId == id).OrderBy(t => t.Id).Select(t => t.Reason).ToListAsync();
        Assert.InRange(reasons.Count, ServerTransitionLog.KeptPerServer, ServerTransitionLog.KeptPerServer + ServerTransitionLog.PruneEvery);
        Assert.InRange(most, ServerTransitionLog.KeptPerServer, ServerTransitionLog.KeptPerServer + ServerTransitionLog.PruneEvery);
        Assert.Equal("#1300", reasons[^1]);
        Assert.Equal(Enumerable.Range(1_301 - reasons.Count, reasons.Count).Select(n => $"#{n}"), reasons); // the newest, contiguous
    }
}
