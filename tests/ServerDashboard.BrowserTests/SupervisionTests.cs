using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ServerDashboard.Servers;

namespace ServerDashboard.BrowserTests;

/// <summary>Supervision seen live: a crash caused outside the browser shows up on the open server page without a reload.</summary>
[Collection(RealLogsBrowserCollection.Name)]
public sealed class SupervisionTests(RealLogsBrowserFixture fixture)
{
    [Fact]
    public async Task A_crash_from_outside_shows_crashed_backoff_with_a_countdown_starting_and_running_without_a_reload()
    {
        var catalog = fixture.Services.GetRequiredService<ServerCatalog>();
        var supervisor = fixture.Services.GetRequiredService<ServerSupervisor>();
        var id = (await catalog.CreateAsync(new ServerModel
        {
            Name = $"crashy-{Guid.NewGuid():N}"[..14],
            Command = ["/bin/sh", "-c", "echo up; exec sleep 1000"],
            Stop = new StopModel { Mode = StopMode.SigTerm, TimeoutSeconds = 5 },
            RestartPolicy = RestartPolicy.OnFailure,
        }, CancellationToken.None)).Server!.Id;
        await supervisor.StartAsync(id, CancellationToken.None);
        var page = await fixture.LoggedInPageAsync();
        try
        {
            await Artifacts.OnFailureAsync(page, nameof(A_crash_from_outside_shows_crashed_backoff_with_a_countdown_starting_and_running_without_a_reload), async () =>
            {
                await page.GotoAsync($"/servers/{id}");
                await BrowserFixture.WaitForCircuitAsync(page);
                var chip = page.Locator($"[data-testid='status-{id}']");
                await Assertions.Expect(chip).ToHaveAttributeAsync("data-state", "Running");
                // Every text the chip shows, recorded in the page as it changes (a Backoff of about a second is easy to miss by polling).
                await page.EvaluateAsync(@"id => {
                    window.__chipTexts = [];
                    const record = () => {
                        const chip = document.querySelector(`[data-testid='status-${id}']`);
                        const text = chip ? chip.textContent.trim() : '';
                        if (window.__chipTexts[window.__chipTexts.length - 1] !== text) window.__chipTexts.push(text);
                    };
                    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
                    record();
                }", id);
                await page.EvaluateAsync("() => window.__marker = 'no reload'");
                var pid = supervisor.GetStatus(id).Pid!.Value;

                System.Diagnostics.Process.GetProcessById(pid).Kill(); // SIGKILL from outside the browser

                await page.WaitForFunctionAsync(
                    "() => { const t = window.__chipTexts; const b = t.findIndex(x => /^Backoff \\d+ s$/.test(x)); return b >= 0 && t.slice(b).includes('Running'); }",
                    null, new() { Timeout = 20_000 });
                var texts = await page.EvaluateAsync<string[]>("() => window.__chipTexts");
                var backoff = Array.FindIndex(texts, t => t.StartsWith("Backoff ", StringComparison.Ordinal));
                Assert.Equal("Running", texts[0]);
                Assert.Contains("Running", texts[backoff..]);
                await Assertions.Expect(page.Locator("[data-testid='state-trail']")).ToContainTextAsync("Running → Crashed");
                var trail = await page.Locator("[data-testid='state-trail-step']").AllTextContentsAsync();
                var steps = trail.Select(t => t[(t.IndexOf(' ', StringComparison.Ordinal) + 1)..]).ToList();
                var crashed = steps.IndexOf("Running → Crashed");
                Assert.Equal(["Running → Crashed", "Crashed → Backoff", "Backoff → Starting", "Starting → Running"], steps.Skip(crashed).Take(4));
                Assert.Equal("no reload", await page.EvaluateAsync<string>("() => window.__marker"));
            });
        }
        finally
        {
            await supervisor.KillAsync(id, CancellationToken.None);
        }
    }
}
