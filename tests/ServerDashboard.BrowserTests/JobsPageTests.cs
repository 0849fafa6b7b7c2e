using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ServerDashboard.Audit;
using ServerDashboard.Jobs;

namespace ServerDashboard.BrowserTests;

/// <summary>The Jobs page against real jobs: start a type, watch progress and log live, cancel, see the history.</summary>
[Collection(BrowserCollection.Name)]
public sealed class JobsPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_admin_starts_a_job_watches_its_progress_bar_move_and_its_log_appear_then_cancels_it()
    {
        string go = Path.Combine(fixture.DataDirectory, "go-ui-job");
        var service = fixture.Services.GetRequiredService<JobService>();
        var saved = await service.SaveTypeAsync(null, new JobTypeModel
        {
            Name = "ui-render",
            Command = ["sh", "-c", $"echo 'rendering tiles'; printf '\\033[32mgreen tiles\\033[0m\\n'; echo '##progress 10 tiles'; while [ ! -e {go} ]; do sleep 0.05; done; echo 'now the overview'; echo '##progress 60 overview'; while :; do sleep 0.05; done"],
        }, AuditActor.System, CancellationToken.None);
        Assert.NotNull(saved.Type);
        var page = await fixture.LoggedInPageAsync();
        try
        {
            await Artifacts.OnFailureAsync(page, nameof(An_admin_starts_a_job_watches_its_progress_bar_move_and_its_log_appear_then_cancels_it), async () =>
            {
                await page.GotoAsync("/jobs");
                await BrowserFixture.WaitForCircuitAsync(page);
                await Assertions.Expect(page.Locator("[data-testid=jobs-page][data-ready=true]")).ToBeVisibleAsync();
                await page.Locator("[data-testid=job-type-row][data-type=ui-render] [data-testid=start-type]").ClickAsync();

                var card = page.Locator("[data-testid=running-job][data-job=ui-render]");
                await Assertions.Expect(card.Locator("[data-testid=job-progress]")).ToHaveAttributeAsync("data-progress", "10");
                await Assertions.Expect(card.Locator("[data-testid=job-task]")).ToContainTextAsync("tiles");
                // The log is the server console's xterm terminal (read-only), fed by the hub: tests read its buffer.
                await Assertions.Expect(card.Locator("[data-testid=job-console] .xterm")).ToBeVisibleAsync();
                await ConsoleTextAsync(page, "ui-render", "rendering tiles");
                await ConsoleTextAsync(page, "ui-render", "green tiles"); // ANSI colour codes are rendered, not printed

                await File.WriteAllTextAsync(go, "");
                await Assertions.Expect(card.Locator("[data-testid=job-progress]")).ToHaveAttributeAsync("data-progress", "60");
                await Assertions.Expect(card.Locator("[data-testid=job-task]")).ToContainTextAsync("overview");
                await ConsoleTextAsync(page, "ui-render", "now the overview");
                Assert.DoesNotContain("[32m", await page.EvaluateAsync<string>("() => window.__jobConsoles['ui-render'].text()"));

                await card.Locator("[data-testid=cancel-timeout] input").FillAsync("5");
                await card.Locator("[data-testid=cancel-job]").ClickAsync();
                await Assertions.Expect(card).ToHaveCountAsync(0, new() { Timeout = 20_000 });
                var row = page.Locator("[data-testid=history-row][data-job=ui-render]").First;
                await Assertions.Expect(row).ToHaveAttributeAsync("data-status", JobStates.Cancelled);
                await Assertions.Expect(row).ToContainTextAsync("admin");
            });
        }
        finally
        {
            File.Delete(go);
            if (service.Runner.Files.ReadStatus("ui-render").Record is { Status: JobStates.Running })
            {
                await service.Runner.CancelAsync("ui-render", TimeSpan.FromSeconds(1), "test", CancellationToken.None);
            }
        }
    }

    private static Task ConsoleTextAsync(IPage page, string job, string text) =>
        page.WaitForFunctionAsync("([job, text]) => (window.__jobConsoles?.[job]?.text() ?? '').includes(text)", new object[] { job, text },
            new PageWaitForFunctionOptions { Timeout = 20_000 });
}
