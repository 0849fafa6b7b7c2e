using Microsoft.Playwright;
using ServerDashboard.Servers;

namespace ServerDashboard.BrowserTests;

/// <summary>The server page's Schedules tab: an admin adds a nightly restart through the dialog, sees it listed with
/// its next run, and finds it on the global Schedules page.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SchedulesTabTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_admin_adds_a_schedule_in_the_dialog_and_sees_it_on_the_tab_and_the_schedules_page()
    {
        var name = $"sched-ui-{Guid.NewGuid():N}"[..20];
        var id = await fixture.CreateServerAsync(new ServerModel
        {
            Name = name,
            Command = ["/bin/sh", "-c", "sleep 1000"],
            Port = BrowserFixture.FreePort(),
            Stop = new StopModel { Mode = StopMode.SigTerm, TimeoutSeconds = 5 },
        });
        var page = await fixture.LoggedInPageAsync();
        await Artifacts.OnFailureAsync(page, nameof(An_admin_adds_a_schedule_in_the_dialog_and_sees_it_on_the_tab_and_the_schedules_page), async () =>
        {
            await page.GotoAsync($"/servers/{id}");
            await BrowserFixture.WaitForCircuitAsync(page);
            await page.GetByRole(AriaRole.Tab, new() { Name = "Schedules" }).ClickAsync();
            await page.Locator("[data-testid=schedules][data-ready=true]").WaitForAsync();
            await Assertions.Expect(page.Locator("[data-testid=no-schedules]")).ToBeVisibleAsync();

            await page.Locator("[data-testid=add-schedule]").ClickAsync();
            await page.Locator("input[data-testid=schedule-name]").FillAsync("nightly restart");
            await page.Locator("input[data-testid=schedule-timezone]").FillAsync("Europe/Berlin");
            await page.Locator("input[data-testid=schedule-cron]").FillAsync("30 4 * * *");
            await Assertions.Expect(page.Locator("[data-testid=preview-run]")).ToHaveCountAsync(3);
            await Assertions.Expect(page.Locator("[data-testid=preview-run]").First).ToContainTextAsync("04:30");
            await page.Locator("[data-testid=schedule-save]").ClickAsync();

            var row = page.Locator("[data-testid=schedule-row][data-schedule='nightly restart']");
            await Assertions.Expect(row).ToBeVisibleAsync();
            await Assertions.Expect(row.Locator("[data-testid=schedule-next]")).ToContainTextAsync("04:30");
            await Assertions.Expect(row).ToContainTextAsync("Restart");

            await page.GotoAsync("/schedules");
            await page.Locator("[data-testid=schedules-page][data-ready=true]").WaitForAsync();
            await Assertions.Expect(page.Locator("[data-testid=schedule-row][data-schedule='nightly restart']").Filter(new() { HasText = name })).ToBeVisibleAsync();
        });
    }
}
