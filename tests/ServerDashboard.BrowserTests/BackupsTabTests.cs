using Microsoft.Playwright;
using ServerDashboard.Servers;

namespace ServerDashboard.BrowserTests;

/// <summary>The server page's Backups tab: take a backup (a detached job), see it listed, restore it (a job too).</summary>
[Collection(BrowserCollection.Name)]
public sealed class BackupsTabTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_admin_takes_a_backup_from_the_server_page_and_sees_it_listed()
    {
        var id = await fixture.CreateServerAsync(new ServerModel
        {
            Name = $"backup-ui-{Guid.NewGuid():N}"[..20],
            Command = ["/bin/sh", "-c", "sleep 1000"],
            Port = BrowserFixture.FreePort(),
            Stop = new StopModel { Mode = StopMode.SigTerm, TimeoutSeconds = 5 },
        });
        string serverDir = ServerPaths.ServerDirectory(fixture.DataDirectory, id);
        Directory.CreateDirectory(Path.Combine(serverDir, "world"));
        await File.WriteAllTextAsync(Path.Combine(serverDir, "world", "level.dat"), "level");
        var page = await fixture.LoggedInPageAsync();
        await Artifacts.OnFailureAsync(page, nameof(An_admin_takes_a_backup_from_the_server_page_and_sees_it_listed), async () =>
        {
            await page.GotoAsync($"/servers/{id}");
            await BrowserFixture.WaitForCircuitAsync(page);
            await page.GetByRole(AriaRole.Tab, new() { Name = "Backups" }).ClickAsync();
            await page.Locator("[data-testid=backups][data-ready=true]").WaitForAsync();
            await Assertions.Expect(page.Locator("[data-testid=no-backups]")).ToBeVisibleAsync();

            await page.Locator("[data-testid=take-backup]").ClickAsync();

            await Assertions.Expect(page.Locator("[data-testid=backup-row]")).ToHaveCountAsync(1, new() { Timeout = 60_000 });
            await Assertions.Expect(page.Locator("[data-testid=backup-row] [data-testid=restore-backup]")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-testid=take-backup]")).ToBeEnabledAsync();

            // Restore runs as a background job with progress; the file deleted meanwhile comes back.
            File.Delete(Path.Combine(serverDir, "world", "level.dat"));
            await page.Locator("[data-testid=backup-row] [data-testid=restore-backup]").ClickAsync();
            await Assertions.Expect(page.GetByText("Restore finished")).ToBeVisibleAsync(new() { Timeout = 60_000 });
            Assert.Equal("level", await File.ReadAllTextAsync(Path.Combine(serverDir, "world", "level.dat")));
            await Assertions.Expect(page.Locator("[data-testid=restore-running]")).ToHaveCountAsync(0);
        });
    }
}
