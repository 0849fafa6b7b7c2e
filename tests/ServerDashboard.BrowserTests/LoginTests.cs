using Microsoft.Playwright;

namespace ServerDashboard.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class LoginTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_admin_logs_in_and_lands_on_the_servers_page()
    {
        var page = await fixture.LoggedInPageAsync();

        await Artifacts.OnFailureAsync(page, nameof(An_admin_logs_in_and_lands_on_the_servers_page), async () =>
        {
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/servers$"));
            Assert.Equal("Servers", (await page.Locator("h1").InnerTextAsync()).Trim());
            Assert.Contains("admin", await page.Locator("[data-testid=current-user]").InnerTextAsync());
        });
    }

    [Fact]
    public async Task A_wrong_password_shows_an_error_and_stays_on_the_login_page()
    {
        var page = await fixture.NewPageAsync();
        await BrowserFixture.GotoLoginAsync(page);

        await page.FillAsync("#username", "admin");
        await page.FillAsync("#password", "not-the-password");
        await page.ClickAsync("[data-testid=login-submit]");

        var error = page.Locator("[data-testid=login-error]");
        await error.WaitForAsync();
        Assert.Equal(ServerDashboard.Auth.LoginService.FailureMessage, (await error.InnerTextAsync()).Trim());
        Assert.Contains("/account/login", page.Url);
    }

    [Fact]
    public async Task An_anonymous_visit_to_a_page_goes_to_the_login_page_and_back_after_login()
    {
        var page = await fixture.NewPageAsync();

        await page.GotoAsync("/settings");

        Assert.Contains("/account/login", page.Url);
        await page.WaitForFunctionAsync("() => /ServerDashboardTheme=/.test(document.cookie)");
        await page.FillAsync("#username", "admin");
        await page.FillAsync("#password", BrowserFixture.AdminPassword);
        await page.ClickAsync("[data-testid=login-submit]");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/settings$"));
    }

    /// <summary>The defect this guards: in light mode the button's text had the header's colour; on a phone it was gone.</summary>
    [Theory]
    [InlineData(Look.Light)]
    [InlineData(Look.Dark)]
    [InlineData(Look.Phone)]
    public async Task Log_out_is_visible_in_the_app_bar_and_returns_to_the_login_page(Look look)
    {
        var page = await fixture.LoggedInPageAsync(look: look);
        await Artifacts.OnFailureAsync(page, $"{nameof(Log_out_is_visible_in_the_app_bar_and_returns_to_the_login_page)}-{look}", async () =>
        {
            var logout = page.Locator("[data-testid=logout]");
            await Assertions.Expect(logout).ToBeVisibleAsync();
            await Assertions.Expect(logout).ToBeInViewportAsync();
            var box = (await logout.BoundingBoxAsync())!;
            Assert.True(box.Width >= 24 && box.Height >= 24, $"the button is {box.Width}×{box.Height} px");
            // Its icon and outline use the bar's text colour, which the contrast test checks against the bar.
            var (icon, bar) = await Contrast.ColoursAsync(page, "[data-testid=logout]");
            Assert.True(Contrast.Ratio(icon, bar) >= 4.5, $"{look}: log out {icon} on {bar}");

            await logout.ClickAsync();

            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"));
            await page.GotoAsync("/servers");
            Assert.Contains("/account/login", page.Url);
        });
    }

    [Fact]
    public async Task A_dark_system_preference_makes_the_first_visit_dark_and_the_choice_is_remembered()
    {
        var page = await fixture.LoggedInPageAsync(look: Look.Dark);

        Assert.Equal("dark", await page.Locator("html").GetAttributeAsync("data-theme"));
        Assert.Contains("ServerDashboardTheme=dark", await page.EvaluateAsync<string>("() => document.cookie"));

        await page.ClickAsync("[data-testid=theme-toggle]");
        await page.WaitForFunctionAsync("() => document.cookie.includes('ServerDashboardTheme=light')");
        await page.ReloadAsync();
        await BrowserFixture.WaitForCircuitAsync(page);

        // Rendered light by the server from the cookie, before any script: no flash of the dark page.
        Assert.Equal("light", await page.Locator("html").GetAttributeAsync("data-theme"));
        var (_, background) = await Contrast.ColoursAsync(page, "h1");
        Assert.True(Contrast.Luminance(background) > 0.5, background.ToString());
    }
}
