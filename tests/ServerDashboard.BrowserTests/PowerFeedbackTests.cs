using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ServerDashboard.Servers;

namespace ServerDashboard.BrowserTests;

/// <summary>What a user sees after a power action: the settled outcome, and the dashboard's marker lines in the console.</summary>
[Collection(RealLogsBrowserCollection.Name)]
public sealed class PowerFeedbackTests(RealLogsBrowserFixture fixture)
{
    /// <summary>The defect this guards: a program that dies 150 ms after launch was reported with a green "started".</summary>
    [Fact]
    public async Task A_start_that_fails_shortly_after_launch_is_reported_as_a_failure_not_as_started()
    {
        var catalog = fixture.Services.GetRequiredService<ServerCatalog>();
        var name = $"dies-{Guid.NewGuid():N}"[..12];
        var id = (await catalog.CreateAsync(new ServerModel
        {
            Name = name,
            Command = ["/bin/sh", "-c", "echo starting; sleep 0.15; echo 'fatal: no world' >&2; exit 3"],
            Port = BrowserFixture.FreePort(), // Running only once this port opens: it never does
            Stop = new StopModel { Mode = StopMode.SigTerm, TimeoutSeconds = 2 },
        }, CancellationToken.None)).Server!.Id;
        var page = await fixture.LoggedInPageAsync();
        await Artifacts.OnFailureAsync(page, nameof(A_start_that_fails_shortly_after_launch_is_reported_as_a_failure_not_as_started), async () =>
        {
            await page.GotoAsync("/servers");
            await BrowserFixture.WaitForCircuitAsync(page);

            await page.ClickAsync($"[data-testid='start-{name}']");

            var failure = page.Locator(".mud-snackbar", new() { HasText = $"'{name}' failed to start" });
            await Assertions.Expect(failure).ToBeVisibleAsync(new() { Timeout = 20_000 });
            Assert.Contains("error", await failure.First.GetAttributeAsync("class") ?? "", StringComparison.Ordinal);
            Assert.Equal(0, await page.Locator(".mud-snackbar", new() { HasText = $"'{name}' is running" }).CountAsync());
            var state = await page.Locator($"[data-testid='status-{id}']").GetAttributeAsync("data-state");
            Assert.Contains(state, new[] { "Crashed", "Error", "Stopped" });
        });
    }

    /// <summary>The supervisor's marker lines ("[dashboard] Stopping (SIGTERM)…", "[dashboard] Killed (SIGKILL)") reach the console live.</summary>
    [Fact]
    public async Task The_console_shows_the_dashboards_marker_lines_for_stop_and_kill()
    {
        var catalog = fixture.Services.GetRequiredService<ServerCatalog>();
        var supervisor = fixture.Services.GetRequiredService<ServerSupervisor>();
        var id = (await catalog.CreateAsync(new ServerModel
        {
            Name = $"marked-{Guid.NewGuid():N}"[..14],
            Command = ["/bin/sh", "-c", "echo up; exec sleep 1000"],
            Stop = new StopModel { Mode = StopMode.SigTerm, TimeoutSeconds = 5 },
        }, CancellationToken.None)).Server!.Id;
        await supervisor.StartAsync(id, CancellationToken.None);
        var page = await fixture.LoggedInPageAsync();
        try
        {
            await Artifacts.OnFailureAsync(page, nameof(The_console_shows_the_dashboards_marker_lines_for_stop_and_kill), async () =>
            {
                await page.GotoAsync($"/servers/{id}");
                await BrowserFixture.WaitForCircuitAsync(page);
                await WaitForLineAsync(page, "up");

                await supervisor.StopAsync(id, wait: true, CancellationToken.None);
                await WaitForLineAsync(page, "[dashboard] Stopping");

                await supervisor.StartAsync(id, CancellationToken.None);
                await supervisor.KillAsync(id, CancellationToken.None);
                await WaitForLineAsync(page, "[dashboard] Killed");
            });
        }
        finally
        {
            await supervisor.KillAsync(id, CancellationToken.None);
        }
    }

    // The console sets marker lines apart ("-- [dashboard] … --"): match the line's text, not its decoration.
    private static Task WaitForLineAsync(IPage page, string text) =>
        page.WaitForFunctionAsync(
            "s => window.__serverConsole && window.__serverConsole.text().split('\\n').some(l => l.includes(s))",
            text,
            new PageWaitForFunctionOptions { Timeout = 30_000 });
}
