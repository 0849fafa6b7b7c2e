using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Servers;

namespace ServerDashboard.Tests.Components.Servers;

public sealed class ServersPageTests : IDisposable
{
    private readonly DashboardComponentContext ctx = new();

    [Fact]
    public async Task Each_definition_is_a_row_with_its_link_status_chip_game_port_and_power_action_but_no_command()
    {
        ctx.LogInAs("admin", Roles.Admin);
        var catalog = ctx.Services.GetRequiredService<ServerCatalog>();
        var alpha = (await catalog.CreateAsync(new ServerModel { Name = "alpha", Command = ["/bin/sh"], Port = 41001 }, CancellationToken.None)).Server!;
        await catalog.CreateAsync(new ServerModel { Name = "beta", Command = ["/bin/sh", "-c", "true"], Port = 41002, Rcon = new RconModel { Enabled = true, Port = 41003 } }, CancellationToken.None);

        var cut = ctx.RenderWithProviders<ServerDashboard.Components.Pages.Servers>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid^='server-link-']").Count));
        Assert.Equal($"servers/{alpha.Id}", cut.Find("[data-testid='server-link-alpha']").GetAttribute("href"));
        var rows = cut.FindAll("tbody tr").Select(r => r.TextContent).ToList();
        Assert.Contains(rows, r => r.Contains("alpha") && r.Contains("41001") && r.Contains("Stopped"));
        Assert.Contains(rows, r => r.Contains("beta") && r.Contains("41002"));
        Assert.DoesNotContain(rows, r => r.Contains("/bin/sh")); // the command belongs to the server page
        Assert.Equal("Stopped", cut.Find($"[data-testid='status-{alpha.Id}']").GetAttribute("data-state"));
        Assert.NotNull(cut.Find("[data-testid='start-alpha']"));
        Assert.Equal("—", cut.Find("[data-testid='cpu-alpha']").TextContent);
        Assert.Equal("—", cut.Find("[data-testid='memory-alpha']").TextContent);
        Assert.Equal("—", cut.Find("[data-testid='uptime-alpha']").TextContent);
    }

    [Fact]
    public async Task The_filter_keeps_the_rows_whose_name_matches()
    {
        ctx.LogInAs("admin", Roles.Admin);
        var catalog = ctx.Services.GetRequiredService<ServerCatalog>();
        await catalog.CreateAsync(new ServerModel { Name = "alpha", Command = ["/bin/sh"] }, CancellationToken.None);
        await catalog.CreateAsync(new ServerModel { Name = "beta", Command = ["/bin/sh"] }, CancellationToken.None);
        var cut = ctx.RenderWithProviders<ServerDashboard.Components.Pages.Servers>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid^='server-link-']").Count));

        cut.Find("[data-testid=servers-search] input, input[data-testid=servers-search]").Input("BET");

        cut.WaitForAssertion(() => Assert.Equal(["beta"], cut.FindAll("[data-testid^='server-link-']").Select(a => a.TextContent)));
    }

    [Fact]
    public async Task A_viewer_sees_the_rows_without_power_buttons_or_the_row_menu()
    {
        ctx.LogInAs("victor", Roles.Viewer);
        await ctx.Services.GetRequiredService<ServerCatalog>().CreateAsync(new ServerModel { Name = "alpha", Command = ["/bin/sh"] }, CancellationToken.None);

        var cut = ctx.RenderWithProviders<ServerDashboard.Components.Pages.Servers>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid^='server-link-']")));
        Assert.Empty(cut.FindAll("[data-testid='start-alpha']"));
        Assert.Empty(cut.FindAll("[data-testid='actions-alpha']"));
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
