using Microsoft.Playwright;

namespace ServerDashboard.BrowserTests;

/// <summary>What every page has: static assets from the top-level wwwroot, the reconnect element, the theme switch.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ShellTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_top_level_wwwroot_the_sdks_blazor_script_and_MudBlazors_assets_are_served_to_anyone()
    {
        var page = await fixture.NewPageAsync();

        var css = await page.APIRequest.GetAsync("/css/app.css", new() { MaxRedirects = 0 });
        var logo = await page.APIRequest.GetAsync("/img/logo.svg", new() { MaxRedirects = 0 });
        var blazor = await page.APIRequest.GetAsync("/_framework/blazor.web.js", new() { MaxRedirects = 0 });
        var mudCss = await page.APIRequest.GetAsync("/_content/MudBlazor/MudBlazor.min.css", new() { MaxRedirects = 0 });
        var mudJs = await page.APIRequest.GetAsync("/_content/MudBlazor/MudBlazor.min.js", new() { MaxRedirects = 0 });

        Assert.Equal(200, css.Status); // anonymous: the login page needs it
        Assert.Contains("ServerDashboard styles", await css.TextAsync());
        Assert.Equal(200, logo.Status);
        Assert.Equal(200, blazor.Status);
        Assert.Contains("Blazor", await blazor.TextAsync());
        Assert.Equal(200, mudCss.Status);
        Assert.Equal(200, mudJs.Status);
    }

    [Fact]
    public async Task The_reconnect_dialog_of_dotnet_10_is_in_the_page_and_closed_while_connected()
    {
        var page = await fixture.LoggedInPageAsync();

        var modal = page.Locator("#components-reconnect-modal");

        Assert.Equal(1, await modal.CountAsync());
        Assert.Equal("DIALOG", await modal.EvaluateAsync<string>("m => m.tagName"));
        Assert.False(await modal.IsVisibleAsync());
        Assert.Equal(1, await page.Locator("#components-reconnect-button").CountAsync());
    }

    [Fact]
    public async Task The_theme_toggle_switches_to_dark_and_the_choice_survives_a_reload()
    {
        var page = await fixture.LoggedInPageAsync();
        Assert.Equal("light", await page.Locator("html").GetAttributeAsync("data-theme"));
        var (_, lightBackground) = await Contrast.ColoursAsync(page, "h1");

        await page.ClickAsync("[data-testid=theme-toggle]");

        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        await page.WaitForFunctionAsync("() => { const c = getComputedStyle(document.body).backgroundColor; return c !== '' && c !== 'rgba(0, 0, 0, 0)'; }");
        var (_, darkBackground) = await Contrast.ColoursAsync(page, "h1");
        Assert.True(Contrast.Luminance(darkBackground) < 0.05 && Contrast.Luminance(lightBackground) > 0.5, $"{lightBackground} -> {darkBackground}");
        await page.ReloadAsync();
        await BrowserFixture.WaitForCircuitAsync(page);
        Assert.Equal("dark", await page.Locator("html").GetAttributeAsync("data-theme"));
        var (_, reloaded) = await Contrast.ColoursAsync(page, "h1");
        Assert.Equal(darkBackground, reloaded);
    }
}
