using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Components.Servers;
using ServerDashboard.Servers;

namespace ServerDashboard.Tests.Components.Servers;

/// <summary>The UI goes through the same audited supervisor operations as the API: one click, one audit entry.</summary>
public sealed class PowerButtonsAuditTests : IDisposable
{
    private readonly DashboardComponentContext ctx = new();

    [Fact]
    public async Task A_start_and_a_refused_stop_from_the_buttons_leave_one_entry_each_with_the_signed_in_user()
    {
        ctx.LogInAs("olga", Roles.Operator);
        var catalog = ctx.Services.GetRequiredService<ServerCatalog>();
        var supervisor = ctx.Services.GetRequiredService<ServerSupervisor>();
        var id = (await catalog.CreateAsync(new ServerModel { Name = "ui-audited", Command = ["/bin/sh", "-c", "while :; do sleep 1; done"] },
            CancellationToken.None)).Server!.Id;
        try
        {
            var stopped = supervisor.GetStatus(id);
            var cut = ctx.Render<PowerButtons>(p => p.Add(c => c.ServerId, id).Add(c => c.Name, "ui-audited").Add(c => c.Status, stopped));
            cut.Find("[data-testid=start-ui-audited]").Click();
            cut.WaitForAssertion(() => Assert.Equal(1, Count(AuditActions.Start)), TimeSpan.FromSeconds(30));

            await using (var db = ctx.OpenDb())
            {
                var start = await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.Start);
                Assert.Equal("olga", start.Actor);
                Assert.Equal(id, start.ServerId);
                Assert.Equal("ui-audited", start.ServerName);
                Assert.True(start.Success);
            }

            await supervisor.KillAsync(id, CancellationToken.None); // unaudited: not a click
            var notRunning = supervisor.GetStatus(id) with { State = ServerState.Running }; // a stale page still offers Stop
            cut.Render(p => p.Add(c => c.Status, notRunning));
            cut.Find("[data-testid=stop-ui-audited]").Click();
            cut.WaitForAssertion(() => Assert.Equal(1, Count(AuditActions.Stop)), TimeSpan.FromSeconds(30));

            await using (var db = ctx.OpenDb())
            {
                var stop = await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.Stop);
                Assert.Equal("olga", stop.Actor);
                Assert.False(stop.Success);
                Assert.Contains("not running", stop.Result);
                Assert.Equal(2, await db.AuditEntries.CountAsync()); // nothing else: no entry point audits a second time
            }
        }
        finally
        {
            await supervisor.KillAsync(id, CancellationToken.None);
        }
    }

    private int Count(string action)
    {
        using var db = ctx.OpenDb();
        return db.AuditEntries.Count(e => e.Action == action);
    }

    public void Dispose() => ctx.Dispose();
}
