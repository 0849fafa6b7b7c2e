using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ServerDashboard.Servers;

namespace ServerDashboard.BrowserTests;

/// <summary>
/// Renders the main pages with real servers and saves screenshots (to the test output; with UPDATE_SCREENSHOTS=1 the
/// servers page also to docs/images/servers.png for the README). Asserts the pages render their content.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenshotTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_main_pages_render_with_running_servers()
    {
        var supervisor = fixture.Services.GetRequiredService<ServerSupervisor>();
        var catalog = fixture.Services.GetRequiredService<ServerCatalog>();
        var templates = fixture.Services.GetRequiredService<ServerTemplates>();
        var survival = (await templates.FindAsync(ServerTemplates.SampleGameServerId, CancellationToken.None))!.Model;
        survival.Name = "survival";
        survival.Port = BrowserFixture.FreePort();
        survival.Rcon.Port = BrowserFixture.FreePort();
        var running = (await catalog.CreateAsync(survival, CancellationToken.None)).Server!;
        var creative = survival.Clone();
        creative.Name = "creative";
        creative.Port = BrowserFixture.FreePort();
        creative.Rcon.Port = BrowserFixture.FreePort();
        creative.RestartPolicy = RestartPolicy.No;
        await catalog.CreateAsync(creative, CancellationToken.None);
        await supervisor.StartAsync(running.Id, CancellationToken.None);

        var page = await fixture.LoggedInPageAsync();
        try
        {
            await page.GotoAsync("/servers");
            await BrowserFixture.WaitForCircuitAsync(page);
            var badge = page.Locator($"[data-testid='status-{running.Id}']");
            await Assertions.Expect(badge).ToHaveAttributeAsync("data-state", "Running", new() { Timeout = 20_000 });
            await SaveAsync(page, "servers.png", updateReadme: true);

            await page.GotoAsync($"/servers/{running.Id}");
            await BrowserFixture.WaitForCircuitAsync(page);
            await Assertions.Expect(page.Locator("[data-testid=details-state]")).ToContainTextAsync("Running");
            await SaveAsync(page, "server-details.png");

            await page.GotoAsync($"/servers/{running.Id}/edit");
            await BrowserFixture.WaitForCircuitAsync(page);
            await page.Locator("[data-testid=server-form]").WaitForAsync();
            await SaveAsync(page, "server-form.png");

            await page.GotoAsync("/processes");
            await BrowserFixture.WaitForCircuitAsync(page);
            await page.Locator("[data-testid=processes-grid]").WaitForAsync();
            await SaveAsync(page, "processes.png");
        }
        finally
        {
            await supervisor.KillAsync(running.Id, CancellationToken.None);
        }
    }

    private static async Task SaveAsync(IPage page, string file, bool updateReadme = false)
    {
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts.Directory, file), FullPage = true });
        if (updateReadme && Environment.GetEnvironmentVariable("UPDATE_SCREENSHOTS") == "1")
        {
            var target = Path.Combine(Artifacts.RepositoryRoot(), "docs", "images", file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = target });
        }
    }
}
