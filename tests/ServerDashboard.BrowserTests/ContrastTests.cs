using System.Globalization;
using Microsoft.Playwright;
using ServerDashboard.Servers;
using Xunit.Abstractions;

namespace ServerDashboard.BrowserTests;

/// <summary>
/// WCAG AA for text (4.5:1) in both themes, measured on the rendered pages: the computed colour of each element against
/// what is behind it. The defects this guards: header title ~2:1 on indigo, dark-mode secondary text ~1.5:1.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ContrastTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private static readonly (string Page, string Selector, string What)[] Samples =
    [
        ("/servers", ".appbar-title", "header title"),
        ("/servers", "[data-testid=current-user]", "header user"),
        ("/servers", "[data-testid=logout]", "header Log out"),
        ("/servers", ".dashboard-nav .mud-nav-link:not(.active) .mud-nav-link-text", "nav link"),
        ("/servers", ".dashboard-nav .mud-nav-link.active .mud-nav-link-text", "nav link (current)"),
        ("/servers", "h1", "page title"),
        ("/servers", ".servers-table th", "table header"),
        ("/servers", ".servers-table td .num", "table cell"),
        ("/servers", ".server-name", "server link"),
        ("/servers", ".status-chip", "status chip (Stopped)"),
        ("/servers", "[data-testid=new-server] .mud-button-label", "primary button"),
        ("/settings", "[data-testid=page-subtitle]", "page subtitle (secondary)"),
        ("/settings", "[data-testid=settings-about] dt", "About label (secondary)"),
        ("/settings", "[data-testid=settings-appearance] .muted", "card description (secondary)"),
        ("/settings", "[data-testid=theme-light] .mud-button-label", "toggle button"),
        ("/settings", "[data-testid=create-key] .mud-button-label", "filled button"),
        ("/users", "[data-testid=password-rules]", "password hint (secondary)"),
        ("/servers/999999", ".empty-state-text", "empty state text (secondary)"), // "Server not found": the Jobs page it used is real now
    ];

    [Theory]
    [InlineData(Look.Light)]
    [InlineData(Look.Dark)]
    public async Task Text_in_the_header_nav_body_secondary_lines_and_buttons_has_at_least_4_5_to_1(Look look)
    {
        await EnsureServerAsync();
        var page = await fixture.LoggedInPageAsync(look: look);
        var failures = new List<string>();
        await Artifacts.OnFailureAsync(page, $"{nameof(Text_in_the_header_nav_body_secondary_lines_and_buttons_has_at_least_4_5_to_1)}-{look}", async () =>
        {
            foreach (var group in Samples.GroupBy(s => s.Page))
            {
                await page.GotoAsync(group.Key);
                await BrowserFixture.WaitForCircuitAsync(page);
                foreach (var (_, selector, what) in group)
                {
                    await page.Locator(selector).First.WaitForAsync(new() { State = WaitForSelectorState.Attached });
                    var (foreground, background) = await Contrast.ColoursAsync(page, selector);
                    var ratio = Contrast.Ratio(foreground, background);
                    var line = string.Create(CultureInfo.InvariantCulture, $"{look,-5} {what,-30} {foreground} on {background}: {ratio:0.00}:1");
                    output.WriteLine(line);
                    if (ratio < 4.5)
                    {
                        failures.Add(line);
                    }
                }
            }

            Assert.True(failures.Count == 0, "Below 4.5:1:\n" + string.Join('\n', failures));
        });
    }

    [Fact]
    public async Task The_console_is_a_dark_terminal_in_the_light_theme_too()
    {
        var id = await EnsureServerAsync();
        var page = await fixture.LoggedInPageAsync(look: Look.Light);

        await page.GotoAsync($"/servers/{id}");
        await BrowserFixture.WaitForCircuitAsync(page);
        await page.Locator("[data-testid=console][data-ready=true]").WaitForAsync();

        var (_, terminal) = await Contrast.ColoursAsync(page, ".console-viewport");
        var (_, pageBackground) = await Contrast.ColoursAsync(page, "h1");
        output.WriteLine($"console {terminal}, page {pageBackground}");
        Assert.True(Contrast.Luminance(terminal) < 0.05, $"console background {terminal}");
        Assert.True(Contrast.Luminance(pageBackground) > 0.5, $"page background {pageBackground}");
    }

    private async Task<int> EnsureServerAsync()
    {
        var catalog = (ServerCatalog)fixture.Services.GetService(typeof(ServerCatalog))!;
        var existing = (await catalog.ListAsync(CancellationToken.None)).FirstOrDefault(s => s.Name == "contrast");
        return existing?.Id ?? await fixture.CreateServerAsync(new ServerModel { Name = "contrast", Command = ["/bin/sleep", "1000"], Port = BrowserFixture.FreePort() });
    }
}
