using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ServerDashboard.Servers;
using ServerDashboard.Servers.Monitoring;

namespace ServerDashboard.BrowserTests;

/// <summary>The Resources tab draws the live series and adds each monitoring tick's sample without a reload.</summary>
[Collection(RealLogsBrowserCollection.Name)]
public sealed class ResourcesTabTests(RealLogsBrowserFixture fixture)
{
    [Fact]
    public async Task The_resources_tab_shows_a_chart_that_updates_with_each_tick()
    {
        var catalog = fixture.Services.GetRequiredService<ServerCatalog>();
        var supervisor = fixture.Services.GetRequiredService<ServerSupervisor>();
        var monitoring = fixture.Services.GetRequiredService<MonitoringService>();
        var id = (await catalog.CreateAsync(new ServerModel
        {
            Name = $"charted-{Guid.NewGuid():N}"[..16],
            Command = ["/bin/sh", "-c", "echo up; exec sleep 1000"],
            Stop = new StopModel { Mode = StopMode.SigTerm, TimeoutSeconds = 5 },
        }, CancellationToken.None)).Server!.Id;
        await supervisor.StartAsync(id, CancellationToken.None);
        var page = await fixture.LoggedInPageAsync();
        try
        {
            await Artifacts.OnFailureAsync(page, nameof(The_resources_tab_shows_a_chart_that_updates_with_each_tick), async () =>
            {
                await page.GotoAsync($"/servers/{id}");
                await BrowserFixture.WaitForCircuitAsync(page);
                await page.GetByRole(AriaRole.Tab, new() { Name = "Resources" }).ClickAsync();
                var memory = page.Locator("[data-testid='chart-memory']");
                await Assertions.Expect(memory).ToBeVisibleAsync();

                // Ticks of the real monitoring loop (one /proc pass each), run now rather than waiting out the interval.
                await monitoring.RunTickAsync(CancellationToken.None);
                await Assertions.Expect(memory).Not.ToHaveAttributeAsync("data-points", "0");
                var first = int.Parse((await memory.GetAttributeAsync("data-points"))!);
                await monitoring.RunTickAsync(CancellationToken.None);
                await monitoring.RunTickAsync(CancellationToken.None);

                // At least these two (the background loop may add its own tick meanwhile).
                await page.WaitForFunctionAsync("n => +document.querySelector(\"[data-testid='chart-memory']\").dataset.points >= n", first + 2);
                await Assertions.Expect(memory.Locator("svg path.mud-chart-line").First).ToBeAttachedAsync();
                await Assertions.Expect(page.Locator("[data-testid='chart-memory-latest']")).ToContainTextAsync("MB");
            });
        }
        finally
        {
            await supervisor.KillAsync(id, CancellationToken.None);
        }
    }
}
