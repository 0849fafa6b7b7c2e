using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ServerDashboard.Auth;
using ServerDashboard.Servers;

namespace ServerDashboard.BrowserTests;

/// <summary>The console's command input against real SampleGameServer daemons: stdin and RCON, history, roles, audit.</summary>
[Collection(RealLogsBrowserCollection.Name)]
public sealed class ConsoleCommandTests(RealLogsBrowserFixture fixture)
{
    private const string OperatorPassword = "Operator-Password-1";
    private const string ViewerPassword = "Viewer-Password-1";

    [Fact]
    public async Task An_operator_says_hello_over_stdin_sees_the_reply_walks_the_history_and_finds_it_in_the_audit()
    {
        var id = await CreateServerAsync("cmd-ui-stdin", rcon: false);
        var supervisor = fixture.Services.GetRequiredService<ServerSupervisor>();
        await StartAsync(supervisor, id);
        await fixture.CreateUserAsync("oscar", Roles.Operator, OperatorPassword);
        var page = await fixture.LoggedInPageAsync("oscar", OperatorPassword);
        try
        {
            await Artifacts.OnFailureAsync(page, nameof(An_operator_says_hello_over_stdin_sees_the_reply_walks_the_history_and_finds_it_in_the_audit), async () =>
            {
                await OpenServerAsync(page, id);
                var input = page.Locator("[data-testid=command-input]");

                await input.FillAsync("say hello");
                await input.PressAsync("Enter");

                await WaitForTextAsync(page, "[Server] hello");
                await Assertions.Expect(input).ToHaveValueAsync("");
                await input.PressAsync("ArrowUp");
                await Assertions.Expect(input).ToHaveValueAsync("say hello");
                await input.PressAsync("ArrowDown");
                await Assertions.Expect(input).ToHaveValueAsync("");

                await page.GotoAsync("/audit");
                await BrowserFixture.WaitForCircuitAsync(page);
                var row = page.Locator("[data-testid=audit-grid] tr", new() { HasText = "say hello" });
                await Assertions.Expect(row).ToContainTextAsync("oscar");
                await Assertions.Expect(row).ToContainTextAsync("Command");
            });
        }
        finally
        {
            await supervisor.KillAsync(id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task An_rcon_reply_appears_in_the_console_marked_as_rcon_and_a_failure_is_a_toast()
    {
        var id = await CreateServerAsync("cmd-ui-rcon", rcon: true);
        var supervisor = fixture.Services.GetRequiredService<ServerSupervisor>();
        await StartAsync(supervisor, id);
        var page = await fixture.LoggedInPageAsync();
        try
        {
            await Artifacts.OnFailureAsync(page, nameof(An_rcon_reply_appears_in_the_console_marked_as_rcon_and_a_failure_is_a_toast), async () =>
            {
                await OpenServerAsync(page, id);
                var input = page.Locator("[data-testid=command-input]");

                await input.FillAsync("echo reply-over-rcon");
                await page.Locator("[data-testid=command-send]").ClickAsync();

                await WaitForTextAsync(page, "[rcon] > echo reply-over-rcon");
                await WaitForTextAsync(page, "[rcon] reply-over-rcon");

                // A rotated password takes effect at the next start: until then the running server refuses RCON.
                await fixture.Services.GetRequiredService<ServerCatalog>().RotateRconPasswordAsync(id, CancellationToken.None);
                await input.FillAsync("echo refused");
                await input.PressAsync("Enter");
                await Assertions.Expect(page.Locator(".mud-snackbar", new() { HasText = "Command not sent" })).ToBeVisibleAsync();

                await supervisor.KillAsync(id, CancellationToken.None);
                await Assertions.Expect(input).ToBeDisabledAsync(); // nothing to send to once it is down
                await Assertions.Expect(input).ToHaveAttributeAsync("placeholder", "Start the server to send commands");
            });
        }
        finally
        {
            await supervisor.KillAsync(id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_command_box_is_disabled_for_a_stopped_server()
    {
        var id = await CreateServerAsync("cmd-ui-stopped", rcon: false);
        var page = await fixture.LoggedInPageAsync();

        await OpenServerAsync(page, id);

        await Assertions.Expect(page.Locator("[data-testid=command-input]")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("[data-testid=command-send]")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("[data-testid=command-input]")).ToHaveAttributeAsync("placeholder", "Start the server to send commands");
    }

    [Fact]
    public async Task A_viewer_has_no_command_input()
    {
        var id = await CreateServerAsync("cmd-ui-viewer", rcon: false);
        await fixture.CreateUserAsync("valerie", Roles.Viewer, ViewerPassword);
        var page = await fixture.LoggedInPageAsync("valerie", ViewerPassword);

        await page.GotoAsync($"/servers/{id}");
        await BrowserFixture.WaitForCircuitAsync(page);
        await page.Locator("[data-testid=console][data-ready=true]").WaitForAsync();

        Assert.Equal(0, await page.Locator("[data-testid=command-input]").CountAsync());
        Assert.Equal(0, await page.Locator("[data-testid=command-send]").CountAsync());
    }

    private static async Task OpenServerAsync(IPage page, int id)
    {
        await page.GotoAsync($"/servers/{id}");
        await BrowserFixture.WaitForCircuitAsync(page);
        await page.Locator("[data-testid=console][data-ready=true]").WaitForAsync();
        await page.Locator("[data-testid=command-box][data-ready=true]").WaitForAsync();
    }

    private static async Task StartAsync(ServerSupervisor supervisor, int id)
    {
        var started = await supervisor.StartAsync(id, CancellationToken.None);
        Assert.True(started.Outcome == PowerOutcome.Accepted, started.Reason);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (supervisor.GetStatus(id).State != ServerState.Running)
        {
            Assert.True(DateTime.UtcNow < deadline, $"server {id} did not become Running: {supervisor.GetStatus(id)}");
            await Task.Delay(50);
        }
    }

    private static Task WaitForTextAsync(IPage page, string text) =>
        page.WaitForFunctionAsync("text => (window.__serverConsole?.text() ?? '').includes(text)", text, new PageWaitForFunctionOptions { Timeout = 20_000 });

    private async Task<int> CreateServerAsync(string name, bool rcon)
    {
        var model = new ServerModel
        {
            Name = $"{name}-{Guid.NewGuid():N}"[..Math.Min(name.Length + 5, 40)],
            Command = [Path.Combine(AppContext.BaseDirectory, "SampleGameServer"), "--port", "{port}", "--ready-delay-ms", "100", "--heartbeat-ms", "0",
                .. rcon ? new[] { "--rcon-port", "{rconPort}" } : []],
            Port = BrowserFixture.FreePort(),
            Environment = rcon ? new() { ["RCON_PASSWORD"] = "{rconPassword}" } : [],
            Rcon = new RconModel { Enabled = rcon, Port = rcon ? BrowserFixture.FreePort() : null },
            Stop = new StopModel { Mode = StopMode.SigTerm, TimeoutSeconds = 5 },
        };
        return await fixture.CreateServerAsync(model);
    }
}
