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

            await OpenRowMenuAsync(page, "browser-sample");
            await page.ClickAsync("[data-testid='edit-browser-sample']");
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/servers/\\d+/edit$"));
            var editName = page.Locator("input[data-testid=field-name]");
            await Assertions.Expect(editName).ToHaveValueAsync("browser-sample");
            await editName.FillAsync("browser-renamed");
            await page.ClickAsync("[data-testid=save]");
            await page.Locator("[data-testid='server-link-browser-renamed']").WaitForAsync();
            Assert.Equal(0, await page.Locator("[data-testid='server-link-browser-sample']").CountAsync());

            await OpenRowMenuAsync(page, "browser-renamed");
            await page.ClickAsync("[data-testid='delete-browser-renamed']");
            var message = page.Locator("[data-testid=confirm-message]");
            await message.WaitForAsync();
            Assert.Contains("browser-renamed", await message.InnerTextAsync());
            await page.ClickAsync("[data-testid=confirm-ok]");

            await page.Locator("[data-testid='server-link-browser-renamed']").WaitForAsync(new() { State = WaitForSelectorState.Detached });
            await page.Locator(".mud-snackbar").Filter(new() { HasText = "deleted" }).First.WaitForAsync();
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

            await page.Locator(".mud-snackbar").Filter(new() { HasText = "is running" }).First.WaitForAsync(); // reported once it held

            await page.ClickAsync($"[data-testid='stop-{name}']"); // one click: no confirmation for a graceful stop
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
        Assert.Equal(0, await page.Locator($"[data-testid='actions-{name}']").CountAsync()); // no row menu: no Kill, Edit, Delete
        Assert.Equal(0, await page.Locator("[data-testid=new-server]").CountAsync());
        await page.GotoAsync("/servers/new");
        await page.Locator("h1").Filter(new() { HasText = "Access denied" }).WaitForAsync();
        Assert.Equal(0, await page.Locator("[data-testid=server-form]").CountAsync());
    }

    [Theory]
    [InlineData("70000", "Port must be between 1 and 65535.")]
    [InlineData("-5", "Port must be between 1 and 65535.")]
    [InlineData("abc", "whole number")]
    public async Task A_port_out_of_range_or_not_a_number_is_refused_beside_the_field_and_nothing_is_saved(string typed, string message)
    {
        var name = $"port-{Guid.NewGuid():N}"[..12];
        var page = await fixture.LoggedInPageAsync();
        await Artifacts.OnFailureAsync(page, $"{nameof(A_port_out_of_range_or_not_a_number_is_refused_beside_the_field_and_nothing_is_saved)}-{typed}", async () =>
        {
            await page.GotoAsync("/servers/new?template=sample");
            await BrowserFixture.WaitForCircuitAsync(page);
            await page.Locator("input[data-testid=field-name]").FillAsync(name);
            var port = page.Locator("input[data-testid=field-port]");
            await port.FillAsync(typed);
            await page.ClickAsync("[data-testid=save]");

            var error = page.Locator("[data-testid='error-port']");
            await Assertions.Expect(error).ToContainTextAsync(message);
            await Assertions.Expect(port).ToHaveValueAsync(typed); // not clamped to 65535 or 1
            await Assertions.Expect(page.Locator("[data-testid=form-errors]")).ToContainTextAsync("Nothing was saved");
            // Beside the field: the message sits right under the port input, not in a toast.
            var fieldBox = (await port.BoundingBoxAsync())!;
            var errorBox = (await error.BoundingBoxAsync())!;
            Assert.InRange(errorBox.Y - (fieldBox.Y + fieldBox.Height), 0, 80);
            Assert.InRange(errorBox.X - fieldBox.X, -40, 40);
            Assert.Contains("/servers/new", page.Url);
            var catalog = fixture.Services.GetRequiredService<ServerCatalog>();
            Assert.DoesNotContain(await catalog.ListAsync(CancellationToken.None), s => s.Name == name);
        });
    }

    [Fact]
    public async Task A_running_servers_Delete_is_disabled_with_the_reason_shown()
    {
        var name = $"busy-{Guid.NewGuid():N}"[..12];
        var id = await CreateSampleServerAsync(name);
        var supervisor = fixture.Services.GetRequiredService<ServerSupervisor>();
        await supervisor.StartAsync(id, CancellationToken.None);
        var page = await fixture.LoggedInPageAsync();
        try
        {
            await Artifacts.OnFailureAsync(page, nameof(A_running_servers_Delete_is_disabled_with_the_reason_shown), async () =>
            {
                await page.GotoAsync("/servers");
                await BrowserFixture.WaitForCircuitAsync(page);
                await Assertions.Expect(page.Locator($"[data-testid='status-{id}']")).ToHaveAttributeAsync("data-state", "Running", new() { Timeout = 20_000 });

                await OpenRowMenuAsync(page, name);

                var delete = page.Locator($"[data-testid='delete-{name}']");
                await Assertions.Expect(delete).ToHaveAttributeAsync("aria-disabled", "true");
                await Assertions.Expect(page.Locator($"[data-testid='delete-reason-{name}']")).ToBeVisibleAsync();
                await Assertions.Expect(page.Locator($"[data-testid='delete-reason-{name}']")).ToContainTextAsync("Stop the server first");
                await delete.ClickAsync(new() { Force = true });
                Assert.Equal(0, await page.Locator("[data-testid=confirm-dialog], [data-testid=confirm-message]").CountAsync()); // no dialog to refuse later
            });
        }
        finally
        {
            await supervisor.KillAsync(id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_list_shows_live_cpu_memory_and_uptime_of_a_running_sample_server()
    {
        var name = $"live-{Guid.NewGuid():N}"[..12];
        var id = await CreateSampleServerAsync(name);
        var supervisor = fixture.Services.GetRequiredService<ServerSupervisor>();
        await supervisor.StartAsync(id, CancellationToken.None);
        var page = await fixture.LoggedInPageAsync();
        try
        {
            await Artifacts.OnFailureAsync(page, nameof(The_list_shows_live_cpu_memory_and_uptime_of_a_running_sample_server), async () =>
            {
                await page.GotoAsync("/servers");
                await BrowserFixture.WaitForCircuitAsync(page);
                await Assertions.Expect(page.Locator($"[data-testid='status-{id}']")).ToHaveAttributeAsync("data-state", "Running", new() { Timeout = 20_000 });

                // CPU is a rate: it appears from the second sample (2 s apart); memory and uptime at once.
                await Assertions.Expect(page.Locator($"[data-testid='cpu-{name}']")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+\.\d %$"));
                await Assertions.Expect(page.Locator($"[data-testid='memory-{name}']")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+\.\d MB$"));
                var uptime = page.Locator($"[data-testid='uptime-{name}']");
                await Assertions.Expect(uptime).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ s$|min"));
                var first = await uptime.InnerTextAsync();
                await Assertions.Expect(uptime).Not.ToHaveTextAsync(first); // it ticks while the page is open
                var memory = double.Parse((await page.Locator($"[data-testid='memory-{name}']").InnerTextAsync()).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(memory, 1, 4096); // a .NET process: megabytes, not bytes or zero
            });
        }
        finally
        {
            await supervisor.KillAsync(id, CancellationToken.None);
        }
    }

    /// <summary>Opens a list row's "more actions" menu (Kill, Edit, Clone, Delete).</summary>
    private static async Task OpenRowMenuAsync(IPage page, string name)
    {
        await page.Locator($"[data-testid='actions-{name}'] button").First.ClickAsync();
        await page.Locator($"[data-testid='edit-{name}'], [data-testid='kill-{name}']").First.WaitForAsync();
    }

    private async Task<int> CreateSampleServerAsync(string name)
    {
        var model = new ServerModel
        {
            Name = name,
            Command = [Path.Combine(AppContext.BaseDirectory, "SampleGameServer"), "--port", "{port}", "--ready-delay-ms", "200", "--heartbeat-ms", "0"],
            Port = BrowserFixture.FreePort(),
            ReadyPattern = @"Done \(",
            Stop = new StopModel { Mode = StopMode.SigTerm, TimeoutSeconds = 5 },
        };
        return await fixture.CreateServerAsync(model);
    }
}
