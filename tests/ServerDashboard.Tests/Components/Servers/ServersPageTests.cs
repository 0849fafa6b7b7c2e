using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Servers;

namespace ServerDashboard.Tests.Components.Servers;

public sealed class ServersPageTests : IDisposable
{
    private readonly DashboardComponentContext ctx = new();

    [Fact]
    public async Task The_grid_lists_every_definition_with_its_ports_and_state()
    {
        ctx.LogInAs("admin", Roles.Admin);
        var catalog = ctx.Services.GetRequiredService<ServerCatalog>();
        await catalog.CreateAsync(new ServerModel { Name = "alpha", Command = ["/bin/sh"], Port = 41001 }, CancellationToken.None);
        await catalog.CreateAsync(new ServerModel { Name = "beta", Command = ["/bin/sh", "-c", "true"], Port = 41002, Rcon = new RconModel { Enabled = true, Port = 41003 } }, CancellationToken.None);

        var cut = ctx.Render<ServerDashboard.Components.Pages.Servers>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid^='server-link-']").Count));
        var rows = cut.FindAll("tr").Select(r => r.TextContent).ToList();
        Assert.Contains(rows, r => r.Contains("alpha") && r.Contains("41001") && r.Contains("Stopped"));
        Assert.Contains(rows, r => r.Contains("beta") && r.Contains("41003") && r.Contains("/bin/sh -c true"));
        Assert.NotEmpty(cut.FindAll("[data-testid='edit-alpha']"));
    }

    [Fact]
    public void With_no_definitions_an_admin_gets_the_empty_state_with_a_button_per_template()
    {
        ctx.LogInAs("admin", Roles.Admin);

        var cut = ctx.Render<ServerDashboard.Components.Pages.Servers>();

        cut.WaitForAssertion(() => Assert.Contains("No servers yet", cut.Find("[data-testid=empty-state]").TextContent));
        Assert.NotNull(cut.Find("[data-testid='empty-template-sample']"));
        Assert.NotNull(cut.Find("[data-testid='empty-template-minecraft-java']"));
    }

    [Fact]
    public void With_no_definitions_a_viewer_is_told_an_admin_creates_them()
    {
        ctx.LogInAs("victor", Roles.Viewer);

        var cut = ctx.Render<ServerDashboard.Components.Pages.Servers>();

        cut.WaitForAssertion(() => Assert.Contains("An Admin creates server definitions.", cut.Find("[data-testid=empty-state]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid^='empty-template-']"));
        Assert.Empty(cut.FindAll("[data-testid=new-server]"));
    }

    public void Dispose() => ctx.Dispose();
}
