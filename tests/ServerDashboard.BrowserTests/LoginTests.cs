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
        await page.GotoAsync("/account/login");

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
        await page.FillAsync("#username", "admin");
        await page.FillAsync("#password", BrowserFixture.AdminPassword);
        await page.ClickAsync("[data-testid=login-submit]");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/settings$"));
    }

    [Fact]
    public async Task Logging_out_returns_to_the_login_page()
    {
        var page = await fixture.LoggedInPageAsync();

        await page.ClickAsync("[data-testid=logout]");

        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"));
        await page.GotoAsync("/servers");
        Assert.Contains("/account/login", page.Url);
    }
}
