using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Components.Servers;
using ServerDashboard.Servers;

namespace ServerDashboard.Tests.Components.Servers;

public sealed class RconPasswordPanelTests : IDisposable
{
    private readonly DashboardComponentContext ctx = new();

    [Fact]
    public async Task An_admin_reveals_the_password_and_rotates_it_and_the_audit_records_the_rotation_without_it()
    {
        ctx.LogInAs("alice", Roles.Admin);
        var catalog = ctx.Services.GetRequiredService<ServerCatalog>();
        var created = await catalog.CreateAsync(new ServerModel { Name = "rotating", Command = ["/bin/sh"], Port = 41101, Rcon = new RconModel { Enabled = true, Port = 41102 } }, CancellationToken.None);
        var id = created.Server!.Id;
        var oldPassword = created.Server.RconPassword!;
        var rotated = 0;

        var cut = ctx.Render<RconPasswordPanel>(p => p
            .Add(c => c.ServerId, id)
            .Add(c => c.Password, oldPassword)
            .Add(c => c.Rotated, () => rotated++));

        Assert.Empty(cut.FindAll("[data-testid=rcon-password]"));
        cut.Find("[data-testid=rcon-reveal]").Click();
        Assert.Equal(oldPassword, cut.Find("[data-testid=rcon-password]").TextContent);

        cut.Find("[data-testid=rcon-rotate]").Click();
        Assert.Contains("takes effect at the next start", cut.Find("[data-testid=rcon-rotate-warning]").TextContent);
        cut.Find("[data-testid=rcon-rotate-confirm]").Click();

        cut.WaitForAssertion(() => Assert.Equal(1, rotated));
        var newPassword = (await catalog.GetAsync(id, CancellationToken.None))!.RconPassword!;
        Assert.NotEqual(oldPassword, newPassword);
        Assert.Equal(RconPasswordGenerator.Length, newPassword.Length);
        await using var db = ctx.OpenDb();
        var entry = await db.AuditEntries.SingleAsync(e => e.Detail == "RCON password rotated");
        Assert.Equal("alice", entry.Actor);
        Assert.Equal(AuditActions.UpdateServer, entry.Action);
        Assert.True(entry.Success);
        Assert.DoesNotContain(await db.AuditEntries.ToListAsync(),
            e => $"{e.Detail}{e.Result}".Contains(oldPassword) || $"{e.Detail}{e.Result}".Contains(newPassword));
    }

    public void Dispose() => ctx.Dispose();
}
