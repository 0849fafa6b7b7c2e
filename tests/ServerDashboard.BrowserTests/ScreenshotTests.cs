using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ServerDashboard.Servers;

namespace ServerDashboard.BrowserTests;

/// <summary>
/// Renders the main pages with real servers and saves screenshots (to the test output; with UPDATE_SCREENSHOTS=1 the
/// servers list and a server's page, light and dark, also to docs/images/ for the README). Asserts the pages render their content.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenshotTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_main_pages_render_with_running_servers_in_both_themes()
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
        var lobby = survival.Clone();
        lobby.Name = "lobby";
        lobby.Port = BrowserFixture.FreePort();
        lobby.Rcon.Port = BrowserFixture.FreePort();
        var second = (await catalog.CreateAsync(lobby, CancellationToken.None)).Server!;
        await supervisor.StartAsync(running.Id, CancellationToken.None);
        await supervisor.StartAsync(second.Id, CancellationToken.None);
        // This fixture's console reads a fake log source: give it what the sample server prints.
        fixture.Logs.Push(running.Id,
            "[15:18:09 INFO]: Starting sample game server \"Sample Server\" version 0.1.0",
            "[15:18:09 INFO]: Loading properties",
            $"[15:18:09 INFO]: Starting game server on 127.0.0.1:{survival.Port}",
            "[15:18:09 INFO]: Preparing level \"world\"",
            "\u001b[32m[15:18:10 INFO]: Done (0.724s)! For help, type \"help\"\u001b[0m",
            $"[15:18:10 INFO]: RCON running on 127.0.0.1:{survival.Rcon.Port}",
            "[15:18:14 INFO]: Heartbeat: uptime 5.2s, 0 players online",
            "[15:18:31 INFO]: steve joined the game",
            "\u001b[33m[15:18:40 WARN]: Can't keep up! Is the server overloaded? Running 2043ms behind\u001b[0m",
            "[15:18:44 INFO]: Heartbeat: uptime 35.2s, 1 players online");

        try
        {
            foreach (var look in new[] { Look.Light, Look.Dark })
            {
                var suffix = look == Look.Dark ? "dark" : "light";
                var page = await fixture.LoggedInPageAsync(look: look);
                await page.GotoAsync("/servers");
                await BrowserFixture.WaitForCircuitAsync(page);
                await Assertions.Expect(page.Locator($"[data-testid='status-{running.Id}']")).ToHaveAttributeAsync("data-state", "Running", new() { Timeout = 20_000 });
                await Assertions.Expect(page.Locator("[data-testid='cpu-survival']")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("%$"));
                await SaveAsync(page, $"servers-{suffix}.png", updateReadme: true);

                await page.GotoAsync($"/servers/{running.Id}");
                await BrowserFixture.WaitForCircuitAsync(page);
                await page.Locator("[data-testid=console][data-ready=true]").WaitForAsync();
                await page.WaitForFunctionAsync("() => (window.__serverConsole?.text() ?? '').includes('1 players online')", null, new() { Timeout = 20_000 });
                await Assertions.Expect(page.Locator("[data-testid=tile-cpu-value]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("%$"));
                await SaveAsync(page, $"server-{suffix}.png", updateReadme: true);

                await page.GotoAsync($"/servers/{running.Id}/edit");
                await BrowserFixture.WaitForCircuitAsync(page);
                await page.Locator("[data-testid=server-form]").WaitForAsync();
                await SaveAsync(page, $"server-form-{suffix}.png");

                await page.GotoAsync("/processes");
                await BrowserFixture.WaitForCircuitAsync(page);
                await page.Locator("[data-testid=processes-grid]").WaitForAsync();
                await SaveAsync(page, $"processes-{suffix}.png");
                await page.Context.CloseAsync();
            }
        }
        finally
        {
            await supervisor.KillAsync(running.Id, CancellationToken.None);
            await supervisor.KillAsync(second.Id, CancellationToken.None);
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
