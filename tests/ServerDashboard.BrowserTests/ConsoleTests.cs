using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ServerDashboard.Auth;
using ServerDashboard.Servers;

namespace ServerDashboard.BrowserTests;

/// <summary>
/// The server page's console: xterm.js fed by the dashboard hub from page JS. Lines come from the fixture's FakeServerLogs;
/// the terminal is read through the module's window hook (its buffer as text), never from pixels.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsoleTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Lines_pushed_to_the_log_appear_in_the_console_backlog_first_then_live()
    {
        var id = await CreateServerAsync("console-live");
        fixture.Logs.Push(id, "backlog one", "backlog two");
        var page = await OpenConsoleAsync(id);
        await Artifacts.OnFailureAsync(page, nameof(Lines_pushed_to_the_log_appear_in_the_console_backlog_first_then_live), async () =>
        {
            await WaitForTextAsync(page, "backlog two");
            await Assertions.Expect(page.Locator("[data-testid=console-state]")).ToHaveAttributeAsync("data-state", "live");

            fixture.Logs.Push(id, "live three");

            await WaitForTextAsync(page, "live three");
            Assert.Equal(["backlog one", "backlog two", "live three"], await LinesAsync(page));
        });
    }

    [Fact]
    public async Task Ansi_colours_render_as_colours_and_other_sources_and_markers_are_set_apart()
    {
        var id = await CreateServerAsync("console-ansi");
        fixture.Logs.Push(id, "\u001b[32mDone (1.25s)! For help, type \"help\"\u001b[0m", "plain line");
        fixture.Logs.PushFrom(id, "logs/latest.log", "from the extra file");
        fixture.Logs.PushFrom(id, "dashboard", "12 lines dropped: the console fell behind");
        var page = await OpenConsoleAsync(id);
        await Artifacts.OnFailureAsync(page, nameof(Ansi_colours_render_as_colours_and_other_sources_and_markers_are_set_apart), async () =>
        {
            await WaitForTextAsync(page, "fell behind");

            var lines = await LinesAsync(page);
            Assert.Equal("Done (1.25s)! For help, type \"help\"", lines[0]); // escape codes are interpreted, not printed
            Assert.Equal("[logs/latest.log] from the extra file", lines[2]);
            Assert.Equal("-- 12 lines dropped: the console fell behind --", lines[3]);
            // xterm's DOM renderer marks palette colours with classes: the green survived.
            await Assertions.Expect(page.Locator(".xterm-rows span.xterm-fg-2").Filter(new() { HasText = "Done" })).ToHaveCountAsync(1);
        });
    }

    [Fact]
    public async Task When_the_log_stream_breaks_the_console_resumes_after_the_last_line_without_duplicates_or_gaps()
    {
        var id = await CreateServerAsync("console-resume");
        fixture.Logs.Push(id, Numbered(1, 5));
        var page = await OpenConsoleAsync(id);
        await Artifacts.OnFailureAsync(page, nameof(When_the_log_stream_breaks_the_console_resumes_after_the_last_line_without_duplicates_or_gaps), async () =>
        {
            await WaitForTextAsync(page, "line 5");

            fixture.Logs.FailActiveStreams(id);
            fixture.Logs.Push(id, Numbered(6, 8)); // written while nobody listens: must come from the resume's backlog
            await WaitForTextAsync(page, "line 8");
            fixture.Logs.Push(id, Numbered(9, 9));
            await WaitForTextAsync(page, "line 9");

            Assert.Equal(Numbered(1, 9), await LinesAsync(page));
            var subscriptions = fixture.Logs.Subscriptions.Where(s => s.ServerId == id).Select(s => s.AfterSeq).ToList();
            Assert.Equal([null, 5L], subscriptions);
        });
    }

    [Fact]
    public async Task When_the_hub_connection_drops_the_console_reconnects_and_resumes_after_the_last_line()
    {
        var id = await CreateServerAsync("console-reconnect");
        fixture.Logs.Push(id, Numbered(1, 3));
        var page = await OpenConsoleAsync(id);
        await Artifacts.OnFailureAsync(page, nameof(When_the_hub_connection_drops_the_console_reconnects_and_resumes_after_the_last_line), async () =>
        {
            await WaitForTextAsync(page, "line 3");

            var subscriptionsBefore = fixture.Logs.Subscriptions.Count(s => s.ServerId == id);
            await page.EvaluateAsync("() => window.__serverConsole.connection.stop()"); // onclose: the console starts again itself
            // Wait for the new subscription (the old one may end and the new one start before a check could see zero).
            await Eventually(() => fixture.Logs.Subscriptions.Count(s => s.ServerId == id) > subscriptionsBefore, "the console to subscribe again");
            fixture.Logs.Push(id, Numbered(4, 6));
            await WaitForTextAsync(page, "line 6");

            Assert.Equal(Numbered(1, 6), await LinesAsync(page));
            Assert.Equal(3L, fixture.Logs.Subscriptions.Last(s => s.ServerId == id).AfterSeq);
            await Assertions.Expect(page.Locator("[data-testid=console-state]")).ToHaveAttributeAsync("data-state", "live");
        });
    }

    [Fact]
    public async Task Scrolling_up_pauses_following_and_jump_to_live_returns_to_the_newest_line()
    {
        var id = await CreateServerAsync("console-scroll");
        fixture.Logs.Push(id, Numbered(1, 300));
        var page = await OpenConsoleAsync(id);
        await Artifacts.OnFailureAsync(page, nameof(Scrolling_up_pauses_following_and_jump_to_live_returns_to_the_newest_line), async () =>
        {
            await WaitForTextAsync(page, "line 300");
            var console = page.Locator("[data-testid=console]");
            var jump = page.Locator("[data-testid=console-jump-live]");
            await Assertions.Expect(jump).ToBeHiddenAsync();

            await page.Locator(".console-terminal").HoverAsync();
            await page.Mouse.WheelAsync(0, -2000);
            await Assertions.Expect(console).ToHaveAttributeAsync("data-follow", "paused");
            await Assertions.Expect(jump).ToBeVisibleAsync();
            fixture.Logs.Push(id, Numbered(301, 305));
            await Assertions.Expect(jump).ToContainTextAsync("5 new");
            Assert.False(await AtBottomAsync(page));

            await jump.ClickAsync();

            await Assertions.Expect(console).ToHaveAttributeAsync("data-follow", "live");
            await Assertions.Expect(jump).ToBeHiddenAsync();
            Assert.True(await AtBottomAsync(page));
        });
    }

    [Fact]
    public async Task Search_finds_matches_and_clear_view_empties_only_the_terminal()
    {
        var id = await CreateServerAsync("console-search");
        fixture.Logs.Push(id, "alpha", "player joined: steve", "beta", "player left: steve");
        var page = await OpenConsoleAsync(id);
        await Artifacts.OnFailureAsync(page, nameof(Search_finds_matches_and_clear_view_empties_only_the_terminal), async () =>
        {
            await WaitForTextAsync(page, "player left");

            await page.Locator("[data-testid=console-search]").FillAsync("steve");
            await Assertions.Expect(page.Locator(".console-search-count")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d / 2$"));
            await page.Locator("[data-testid=console-search]").FillAsync("nobody");
            await Assertions.Expect(page.Locator(".console-search-count")).ToHaveTextAsync("No matches");

            await page.ClickAsync("[data-testid=console-clear]");
            await page.WaitForFunctionAsync("() => window.__serverConsole.text() === ''");
            fixture.Logs.Push(id, "after clear");
            await WaitForTextAsync(page, "after clear");
            Assert.Equal(["after clear"], await LinesAsync(page)); // cleared lines are not fetched again
        });
    }

    [Fact]
    public async Task The_download_link_points_at_the_log_download_endpoint()
    {
        var id = await CreateServerAsync("console-download");
        var page = await OpenConsoleAsync(id);

        var link = page.Locator("[data-testid=console-download]");

        Assert.Equal($"/api/v1/servers/{id}/logs/download", await link.GetAttributeAsync("href"));
        Assert.NotNull(await link.GetAttributeAsync("download"));
    }

    [Fact]
    public async Task A_viewer_sees_the_console()
    {
        var id = await CreateServerAsync("console-viewer");
        fixture.Logs.Push(id, "visible to viewers");
        await fixture.CreateUserAsync("vera", Roles.Viewer, "Viewer-Password-1");
        var page = await fixture.LoggedInPageAsync("vera", "Viewer-Password-1");
        await page.GotoAsync($"/servers/{id}");
        await BrowserFixture.WaitForCircuitAsync(page);

        await WaitForTextAsync(page, "visible to viewers");
    }

    [Fact]
    public async Task The_console_looks_right_in_the_light_and_dark_themes()
    {
        var id = await CreateServerAsync("console-look");
        fixture.Logs.Push(id,
            "[12:00:01] [Server thread/INFO]: Starting minecraft server version 1.21",
            "[12:00:01] [Server thread/INFO]: Loading properties",
            "\u001b[33m[12:00:02] [Server thread/WARN]: Can't keep up! Is the server overloaded?\u001b[0m",
            "[12:00:03] [Server thread/INFO]: Preparing level \"world\"",
            "\u001b[32m[12:00:04] [Server thread/INFO]: Done (3.112s)! For help, type \"help\"\u001b[0m",
            "\u001b[31m[12:00:05] [Server thread/ERROR]: Could not pass event PlayerJoinEvent\u001b[0m",
            "[12:00:06] [Server thread/INFO]: steve joined the game");
        fixture.Logs.PushFrom(id, "logs/latest.log", "[12:00:06] UUID of player steve is 069a79f4-44e9-4726-a5be-fca90e38aaf5");
        fixture.Logs.PushFrom(id, "dashboard", "console restarted: resumed after line 8");
        var page = await OpenConsoleAsync(id);
        await WaitForTextAsync(page, "resumed after line 8");
        await page.Locator("[data-testid=console-search]").FillAsync("steve");

        var card = page.Locator("[data-testid=console]");
        var (_, lightTerminal) = await Contrast.ColoursAsync(page, ".console-viewport");
        await card.ScreenshotAsync(new() { Path = Path.Combine(Artifacts.Directory, "console-light.png") });
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts.Directory, "console-page-light.png"), FullPage = true });

        await page.ClickAsync("[data-testid=theme-toggle]");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        var (_, darkTerminal) = await Contrast.ColoursAsync(page, ".console-viewport");
        Assert.Equal(lightTerminal, darkTerminal); // the same dark terminal in both page themes
        Assert.True(Contrast.Luminance(darkTerminal) < 0.05, darkTerminal.ToString());
        await card.ScreenshotAsync(new() { Path = Path.Combine(Artifacts.Directory, "console-dark.png") });
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts.Directory, "console-page-dark.png"), FullPage = true });
    }

    private async Task<IPage> OpenConsoleAsync(int id)
    {
        var page = await fixture.LoggedInPageAsync();
        await page.GotoAsync($"/servers/{id}");
        await BrowserFixture.WaitForCircuitAsync(page);
        await page.Locator("[data-testid=console][data-ready=true]").WaitForAsync();
        return page;
    }

    private static Task WaitForTextAsync(IPage page, string text) =>
        page.WaitForFunctionAsync("text => (window.__serverConsole?.text() ?? '').includes(text)", text);

    private static async Task<string[]> LinesAsync(IPage page) =>
        (await page.EvaluateAsync<string>("() => window.__serverConsole.text()")).Split('\n');

    private static Task<bool> AtBottomAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => { const b = document.querySelector('[data-testid=console]'); return b.dataset.follow === 'live'; }");

    private static string[] Numbered(int from, int to) => Enumerable.Range(from, to - from + 1).Select(i => $"line {i}").ToArray();

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    private async Task<int> CreateServerAsync(string name)
    {
        var model = new ServerModel
        {
            Name = $"{name}-{Guid.NewGuid():N}"[..Math.Min(name.Length + 5, 40)],
            Command = [Path.Combine(AppContext.BaseDirectory, "SampleGameServer"), "--port", "{port}"],
            Stop = new StopModel { Mode = StopMode.SigTerm, TimeoutSeconds = 5 },
        };
        return await fixture.CreateServerAsync(model);
    }
}
