using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ServerDashboard.Auth;
using ServerDashboard.Servers;

namespace ServerDashboard.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class ServersFlowTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_admin_creates_a_server_from_the_sample_template_edits_it_and_deletes_it()
    {
        var page = await fixture.LoggedInPageAsync();
        await Artifacts.OnFailureAsync(page, nameof(An_admin_creates_a_server_from_the_sample_template_edits_it_and_deletes_it), async () =>
        {
            await page.GotoAsync("/servers/new?template=sample");
            await BrowserFixture.WaitForCircuitAsync(page);
            var name = page.Locator("input[data-testid=field-name]");
            await Assertions.Expect(name).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^sample"));
            Assert.Contains("SampleGameServer", await page.Locator("textarea[data-testid=field-command]").InputValueAsync());
            Assert.Contains("template", await page.Locator("[data-testid=form-source]").InnerTextAsync());

            await name.FillAsync("browser-sample");
            await page.ClickAsync("[data-testid=save]");

            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/servers$"));
            var link = page.Locator("[data-testid='server-link-browser-sample']");
            await link.WaitForAsync();

            await page.ClickAsync("[data-testid='edit-browser-sample']");
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/servers/\\d+/edit$"));
            var editName = page.Locator("input[data-testid=field-name]");
            await Assertions.Expect(editName).ToHaveValueAsync("browser-sample");
            await editName.FillAsync("browser-renamed");
            await page.ClickAsync("[data-testid=save]");
            await page.Locator("[data-testid='server-link-browser-renamed']").WaitForAsync();
            Assert.Equal(0, await page.Locator("[data-testid='server-link-browser-sample']").CountAsync());

            await page.ClickAsync("[data-testid='delete-browser-renamed']");
            var dialog = page.Locator(".rz-dialog");
            await dialog.WaitForAsync();
            Assert.Contains("browser-renamed", await dialog.InnerTextAsync());
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();

            await page.Locator("[data-testid='server-link-browser-renamed']").WaitForAsync(new() { State = WaitForSelectorState.Detached });
            await page.Locator(".rz-notification").Filter(new() { HasText = "deleted" }).First.WaitForAsync();
        });
    }

    [Fact]
    public async Task Saving_an_invalid_definition_shows_the_messages_beside_the_fields()
    {
        var page = await fixture.LoggedInPageAsync();
        await page.GotoAsync("/servers/new?template=generic");
        await BrowserFixture.WaitForCircuitAsync(page);

        await page.Locator("input[data-testid=field-name]").FillAsync("");
        await page.Locator("textarea[data-testid=field-command]").FillAsync("/no/such/program");
        await page.ClickAsync("[data-testid=save]");

        await page.Locator("[data-testid='error-name']").WaitForAsync();
        Assert.Contains("Name is required", await page.Locator("[data-testid='error-name']").InnerTextAsync());
        Assert.Contains("/no/such/program", await page.Locator("[data-testid='error-command']").InnerTextAsync());
        Assert.Contains("/servers/new", page.Url);
    }

    [Fact]
    public async Task An_operator_starts_and_stops_a_server_and_sees_its_state_live()
    {
        var name = $"power-{Guid.NewGuid():N}"[..14];
        await CreateSampleServerAsync(name);
        await fixture.CreateUserAsync("olivia", Roles.Operator, "Operator-Password-1");
        var page = await fixture.LoggedInPageAsync("olivia", "Operator-Password-1");
        await Artifacts.OnFailureAsync(page, nameof(An_operator_starts_and_stops_a_server_and_sees_its_state_live), async () =>
        {
            await page.GotoAsync("/servers");
            await BrowserFixture.WaitForCircuitAsync(page);
            Assert.Equal(0, await page.Locator("[data-testid=new-server]").CountAsync()); // definitions are the Admin's

            await page.ClickAsync($"[data-testid='start-{name}']");
            var badge = page.Locator($"tr:has([data-testid='server-link-{name}']) [data-state]");
            await Assertions.Expect(badge).ToHaveAttributeAsync("data-state", "Running", new() { Timeout = 20_000 });

            await page.ClickAsync($"[data-testid='stop-{name}']");
            await page.Locator(".rz-dialog").GetByRole(AriaRole.Button, new() { Name = "Stop" }).ClickAsync();
            await Assertions.Expect(badge).ToHaveAttributeAsync("data-state", "Stopped", new() { Timeout = 20_000 });
        });
    }

    [Fact]
    public async Task A_viewer_sees_servers_but_no_actions()
    {
        var name = $"viewed-{Guid.NewGuid():N}"[..14];
        await CreateSampleServerAsync(name);
        await fixture.CreateUserAsync("victor", Roles.Viewer, "Viewer-Password-1");
        var page = await fixture.LoggedInPageAsync("victor", "Viewer-Password-1");

        await page.GotoAsync("/servers");
        await BrowserFixture.WaitForCircuitAsync(page);
        await page.Locator($"[data-testid='server-link-{name}']").WaitForAsync();

        Assert.Equal(0, await page.Locator($"[data-testid='start-{name}']").CountAsync());
        Assert.Equal(0, await page.Locator($"[data-testid='edit-{name}']").CountAsync());
        Assert.Equal(0, await page.Locator("[data-testid=new-server]").CountAsync());
        await page.GotoAsync("/servers/new");
        await page.Locator("h1").Filter(new() { HasText = "Access denied" }).WaitForAsync();
        Assert.Equal(0, await page.Locator("[data-testid=server-form]").CountAsync());
    }

    private async Task CreateSampleServerAsync(string name)
    {
        var model = new ServerModel
        {
            Name = name,
            Command = [Path.Combine(AppContext.BaseDirectory, "SampleGameServer"), "--port", "{port}", "--ready-delay-ms", "200", "--heartbeat-ms", "0"],
            Port = BrowserFixture.FreePort(),
            ReadyPattern = @"Done \(",
            Stop = new StopModel { Mode = StopMode.SigTerm, TimeoutSeconds = 5 },
        };
        await fixture.CreateServerAsync(model);
    }
}
