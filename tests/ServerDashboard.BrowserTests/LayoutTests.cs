using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ServerDashboard.Servers;

namespace ServerDashboard.BrowserTests;

/// <summary>
/// The layout defects found on a 1440×900 desktop and a 390×844 phone: the Processes grid wider than its box, the
/// navigation squeezing the page, the console toolbar cut off, Audit showing two columns.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LayoutTests(BrowserFixture fixture)
{
    [Fact]
    public async Task On_a_phone_no_page_is_wider_than_the_screen_and_the_console_toolbar_fits()
    {
        var id = await fixture.CreateServerAsync(new ServerModel { Name = $"phone-{Guid.NewGuid():N}"[..12], Command = ["/bin/sleep", "1000"], Port = BrowserFixture.FreePort() });
        var page = await fixture.LoggedInPageAsync(look: Look.Phone);
        await Artifacts.OnFailureAsync(page, nameof(On_a_phone_no_page_is_wider_than_the_screen_and_the_console_toolbar_fits), async () =>
        {
            var supervisor = fixture.Services.GetRequiredService<ServerSupervisor>();
            await supervisor.StartAsync(id, CancellationToken.None);
            await supervisor.KillAsync(id, CancellationToken.None); // a Processes row with "killed by signal 9 (SIGKILL)"
            foreach (var path in new[] { "/servers", $"/servers/{id}", $"/servers/{id}/edit", "/processes", "/audit", "/settings", "/users", "/jobs", "/schedules" })
            {
                await page.GotoAsync(path);
                await BrowserFixture.WaitForCircuitAsync(page);
                var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
                Assert.True(width <= 390, $"{path} is {width} px wide on a 390 px screen");
            }

            await page.GotoAsync($"/servers/{id}");
            await BrowserFixture.WaitForCircuitAsync(page);
            foreach (var control in new[] { "console-search", "console-search-next", "console-copy", "console-clear", "console-download", "command-input" })
            {
                var box = await page.Locator($"[data-testid={control}]").BoundingBoxAsync();
                Assert.True(box is not null && box.X >= 0 && box.X + box.Width <= 390, $"{control} at {box?.X}+{box?.Width}");
            }
        });
    }

    [Fact]
    public async Task On_a_phone_the_navigation_opens_over_the_page_instead_of_squeezing_it()
    {
        var page = await fixture.LoggedInPageAsync(look: Look.Phone);
        await Artifacts.OnFailureAsync(page, nameof(On_a_phone_the_navigation_opens_over_the_page_instead_of_squeezing_it), async () =>
        {
            var processesLink = page.Locator("[data-testid=drawer] a[href=processes]");
            await Assertions.Expect(processesLink).Not.ToBeInViewportAsync();
            var before = (await page.Locator("main.page-body").BoundingBoxAsync())!;

            await page.ClickAsync("[data-testid=drawer-toggle]");

            await Assertions.Expect(processesLink).ToBeInViewportAsync();
            var after = (await page.Locator("main.page-body").BoundingBoxAsync())!;
            Assert.Equal(before.X, after.X);
            Assert.Equal(before.Width, after.Width);
            await processesLink.ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/processes$"));
        });
    }

    [Fact]
    public async Task On_a_phone_an_audit_entry_shows_every_field()
    {
        var id = await fixture.CreateServerAsync(new ServerModel { Name = $"audited-{Guid.NewGuid():N}"[..14], Command = ["/bin/sleep", "1000"] });
        var audit = fixture.Services.GetRequiredService<ServerDashboard.Audit.AuditLog>();
        await audit.RecordAsync(new ServerDashboard.Audit.AuditActor("admin", "127.0.0.1"), ServerDashboard.Audit.AuditActions.Command, id, null, "say hi", true, "sent");
        var page = await fixture.LoggedInPageAsync(look: Look.Phone);
        await Artifacts.OnFailureAsync(page, nameof(On_a_phone_an_audit_entry_shows_every_field), async () =>
        {
            await page.GotoAsync("/audit");
            await BrowserFixture.WaitForCircuitAsync(page);

            var entry = page.Locator("[data-testid=audit-grid] tr", new() { HasText = "say hi" }).First;
            await entry.WaitForAsync();
            // Logins and other tests' actions are audited too: the entry may be further down the page.
            await entry.ScrollIntoViewIfNeededAsync();
            foreach (var label in new[] { "When", "User", "Action", "Server", "Detail", "Result", "From" })
            {
                var cell = entry.Locator($"td[data-label='{label}']");
                await Assertions.Expect(cell).ToBeInViewportAsync();
            }
        });
    }

    [Fact]
    public async Task At_1440_px_the_processes_grid_fits_its_box_with_the_cleanup_column()
    {
        var supervisor = fixture.Services.GetRequiredService<ServerSupervisor>();
        var id = await fixture.CreateServerAsync(new ServerModel { Name = $"fits-{Guid.NewGuid():N}"[..12], Command = ["/bin/sleep", "1000"] });
        // A dead entry with the longest exit text there is, and a long name: the columns that grew the grid before.
        var killed = await fixture.CreateServerAsync(new ServerModel { Name = $"a-rather-long-server-name-{Guid.NewGuid():N}"[..36], Command = ["/bin/sleep", "1000"] });
        await supervisor.StartAsync(killed, CancellationToken.None);
        await supervisor.KillAsync(killed, CancellationToken.None);
        await supervisor.StartAsync(id, CancellationToken.None);
        var page = await fixture.LoggedInPageAsync();
        try
        {
            await Artifacts.OnFailureAsync(page, nameof(At_1440_px_the_processes_grid_fits_its_box_with_the_cleanup_column), async () =>
            {
                await page.GotoAsync("/processes");
                await BrowserFixture.WaitForCircuitAsync(page);
                var cleanup = page.Locator("[data-testid^=force-cleanup-]").First;
                await cleanup.WaitForAsync();

                var widths = await page.EvaluateAsync<int[]>(
                    "() => { const t = document.querySelector('.processes-table table'); const c = document.querySelector('.processes-table .mud-table-container'); return [t.scrollWidth, c.clientWidth]; }");
                Assert.True(widths[0] <= widths[1], $"the table is {widths[0]} px in a {widths[1]} px box");
                await Assertions.Expect(cleanup).ToBeInViewportAsync();
            });
        }
        finally
        {
            await supervisor.KillAsync(id, CancellationToken.None);
        }
    }
}
